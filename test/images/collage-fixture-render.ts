/** Renders the fixture's collage and writes it to the file named by the first argument (run by collage-text.test.ts). */
import { writeFile } from "node:fs/promises";
import { createCollageRenderer } from "../../src/images/collage.js";
import { fixtureInput } from "./collage-fixture.js";

const collage = await createCollageRenderer().render(await fixtureInput());
await writeFile(process.argv[2]!, collage.bytes);
