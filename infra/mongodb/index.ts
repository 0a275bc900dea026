export { databaseFromUrl, type MongoReadStoreOptions, openMongoReadStore } from "./read-store.ts";
