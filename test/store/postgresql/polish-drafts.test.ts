import { polishDraftStoreContract } from "../contracts/polish-drafts.contract.js";
import { postgresStore } from "./postgres-store.js";

polishDraftStoreContract(postgresStore);
