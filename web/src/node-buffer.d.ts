// The server modules the UI takes its API types from (src/server/schemas.ts and what it imports)
// mention Node's Buffer once, as a binary cell value (src/connectors/connector.ts). The UI never
// holds one, so the name alone is declared here, as the byte array it is, instead of loading
// Node's types into the DOM build.
type Buffer = Uint8Array;
