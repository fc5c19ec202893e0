/**
 * Preloaded (`--import`) by the memory benchmark into a process it runs as plain node, Salon's own included
 * (`node <start flags> --import memory-probe.js dist/main.js`): answers `memory` and `heapSnapshot` over the IPC
 * channel, and leaves everything else, SIGTERM included, to the process.
 */
import { writeHeapSnapshot } from "node:v8";
import { settledMemory } from "../bots/bot-common.js";
import { serve } from "./rpc.js";

serve({ memory: () => settledMemory(), heapSnapshot: (arg: { file: string }) => writeHeapSnapshot(arg.file) }, { exitOnSigterm: false });
