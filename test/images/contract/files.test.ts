import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createImageFiles } from "../../../src/images/image-files.js";
import { imageStoreContract } from "./image-store.contract.js";

imageStoreContract("files under DATA_DIR", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "salon-files-"));
  return { images: createImageFiles(dir), another: async () => createImageFiles(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
