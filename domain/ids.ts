/** Branded ids: a plain string cannot be passed where a validated id is expected. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

export type Namespace = Brand<string, "Namespace">;
export type UserId = Brand<string, "UserId">;
export type UploadId = Brand<string, "UploadId">;
export type FileId = Brand<string, "FileId">;
export type ClientId = Brand<string, "ClientId">;
/** Lowercase hex SHA-256 digest (64 characters). */
export type Sha256Hex = Brand<string, "Sha256Hex">;

const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;

export const isNamespace = (value: string): value is Namespace => NAMESPACE.test(value);
export const isSha256Hex = (value: string): value is Sha256Hex => SHA256_HEX.test(value);
export const isUploadId = (value: string): value is UploadId => OPAQUE_ID.test(value);
export const isClientId = (value: string): value is ClientId => /^[A-Za-z0-9._:-]{1,64}$/.test(value);

export const NAMESPACE_PATTERN = NAMESPACE.source;
export const SHA256_PATTERN = SHA256_HEX.source;
export const UPLOAD_ID_PATTERN = OPAQUE_ID.source;
