/**
 * What the simulator knows about each of its messages: the name it gave it, the queue id the handler sees, how
 * many physical copies exist (duplicates add some) and how many of them ended (deleted or dead-lettered).
 */
import type { QueueMessage } from "../../queue/MessageSource.js";

/** The attribute that carries the simulator's message name through the queue. */
export const SIM_MESSAGE_ATTRIBUTE = "x-simulation-message";

interface Entry {
  readonly queueId: string;
  copies: number;
  ended: number;
  deliveries: number;
}

/** See the module comment. */
export class MessageBook {
  readonly #entries = new Map<string, Entry>();
  /** Physical queue ids already counted as ended (a dead letter is seen by the source and by the redrive scan). */
  readonly #endedCopies = new Set<string>();
  #open = 0;
  /** The queue's dead-letter count when the simulator last looked (it scans the dead letters only when it grew). */
  deadLetteredSeen = 0;

  /** Registers a message as sent under `name`, with the queue id its first copy got. */
  add(name: string, queueId: string): void {
    this.#entries.set(name, { queueId, copies: 1, ended: 0, deliveries: 0 });
    this.#open++;
  }

  /** The simulator's name of a received message (undefined for a message the simulator did not send). */
  nameOf(message: Pick<QueueMessage, "attributes">): string | undefined {
    return message.attributes[SIM_MESSAGE_ATTRIBUTE];
  }

  /** The queue id the handler sees for every copy of `name`, as SQS keeps one MessageId across duplicates. */
  queueIdOf(name: string): string | undefined {
    return this.#entries.get(name)?.queueId;
  }

  /** Counts a delivery; returns its number (1 for the first). */
  delivered(name: string): number {
    const entry = this.#entries.get(name);
    if (entry === undefined) return 0;
    return ++entry.deliveries;
  }

  /** One more physical copy of `name` exists. */
  copied(name: string): void {
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    if (entry.ended === entry.copies) this.#open++;
    entry.copies++;
  }

  /** The physical copy `copyId` of `name` ended (deleted or dead-lettered); false when it was counted before. */
  ended(name: string, copyId: string): boolean {
    const entry = this.#entries.get(name);
    if (entry === undefined || this.#endedCopies.has(copyId)) return false;
    this.#endedCopies.add(copyId);
    entry.ended++;
    if (entry.ended === entry.copies) this.#open--;
    return true;
  }

  /** True once every copy of every message ended. */
  get allEnded(): boolean {
    return this.#open === 0;
  }

  /** The names of messages with a copy that has not ended, in send order. */
  openNames(): string[] {
    return [...this.#entries].filter(([, e]) => e.ended < e.copies).map(([name]) => name);
  }

  /** Every name, in send order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }
}
