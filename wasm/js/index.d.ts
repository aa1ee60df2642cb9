// Types of every entry (Node require, Node import, browsers and bundlers): one API everywhere.
export * from "../pkg/node/etrid_wasm.js";
