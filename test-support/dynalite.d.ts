// dynalite ships no type declarations; this is the little of it the peers starter uses.
declare module "dynalite" {
  import type { Server } from "node:net";
  export default function dynalite(options?: Record<string, unknown>): Server;
}
