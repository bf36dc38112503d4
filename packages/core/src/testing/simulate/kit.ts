import type { Clock } from "../../clock/Clock.js";
import { DependencyUnavailableError } from "../../errors.js";
import type { QueueMessage } from "../../queue/MessageSource.js";
import type { SimulationKit } from "./simulateOptions.js";

/** What one process's kit is made of; the simulation owns the state behind it. */
export interface KitParts {
  readonly process: number;
  readonly clock: Clock;
  readonly random: () => number;
  /** State outside the processes, shared by every process of the run. */
  readonly external: Map<string, unknown>;
  /** State of this process only. */
  readonly local: Map<string, unknown>;
  /** True while the planned outage lasts. */
  readonly outage: () => boolean;
  /** Records an effect under `key`, for the message named `name`. */
  readonly effect: (key: string, name: string | undefined) => void;
  readonly nameOf: (message: Pick<QueueMessage, "attributes">) => string | undefined;
}

/** The {@link SimulationKit} a process's handler is built with. */
export function createKit(parts: KitParts): SimulationKit {
  return Object.freeze({
    process: parts.process,
    clock: parts.clock,
    random: parts.random,
    effect: (key: string, message?: Pick<QueueMessage, "attributes">) => {
      parts.effect(key, message === undefined ? undefined : parts.nameOf(message));
    },
    dependency: () => {
      if (parts.outage()) throw new DependencyUnavailableError("simulated-dependency", "Simulated outage");
    },
    external: <S>(name: string, create: () => S): S => memo(parts.external, name, create),
    local: <S>(name: string, create: () => S): S => memo(parts.local, name, create),
  });
}

function memo<S>(map: Map<string, unknown>, name: string, create: () => S): S {
  if (!map.has(name)) map.set(name, create());
  return map.get(name) as S;
}
