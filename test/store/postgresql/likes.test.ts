import { likeStoreContract } from "../contracts/likes.contract.js";
import { postgresStore } from "./postgres-store.js";

likeStoreContract(postgresStore);
