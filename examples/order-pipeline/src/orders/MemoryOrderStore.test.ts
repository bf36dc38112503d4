import { beforeEach } from "vitest";
import { MemoryOrderStore } from "./MemoryOrderStore.js";
import { describeOrderStore } from "./orderStoreContract.js";

let store = new MemoryOrderStore();
beforeEach(() => {
  store = new MemoryOrderStore();
});

describeOrderStore("MemoryOrderStore", () => store);
