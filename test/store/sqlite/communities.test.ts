import { communityStoreContract } from "../contracts/communities.contract.js";
import { sqliteStore } from "./sqlite-store.js";

communityStoreContract(sqliteStore);
