import { polishDraftStoreContract } from "../contracts/polish-drafts.contract.js";
import { sqliteStore } from "./sqlite-store.js";

polishDraftStoreContract(sqliteStore);
