import { likeStoreContract } from "../contracts/likes.contract.js";
import { sqliteStore } from "./sqlite-store.js";

likeStoreContract(sqliteStore);
