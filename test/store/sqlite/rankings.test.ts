import { rankingStoreContract } from "../contracts/rankings.contract.js";
import { sqliteStore } from "./sqlite-store.js";

rankingStoreContract(sqliteStore);
