// Package rpc is nodecoin's JSON-RPC server and client, speaking Bitcoin
// Core's dialect of JSON-RPC over HTTP so that clients written for Core
// (bitcoin-cli, python-bitcoinlib, bitcoinjs, the Core RPC libraries,
// getblocktemplate miners) work unchanged.
//
// The server knows nothing of the chain: the node registers methods
// (Server.Register) with their arguments, help text and a Handler; the
// server decodes requests, checks authentication, converts named to
// positional parameters, checks the declared argument types and counts,
// runs the handler and encodes the reply. The conventions follow Bitcoin
// Core (httprpc.cpp, rpc/request.cpp, rpc/server.cpp, rpc/util.cpp):
//
//   - HTTP POST on "/" (or "/wallet/<name>") with HTTP basic auth; other
//     methods get 405, a missing or wrong Authorization header 401 with
//     `WWW-Authenticate: Basic realm="jsonrpc"` and an empty body, a wrong
//     one after a 250 ms delay (which holds no worker).
//   - Request objects in JSON-RPC 1.0/1.1 (no "jsonrpc" member, or
//     "jsonrpc":"1.0") or 2.0 ("jsonrpc":"2.0"); ids of any JSON type;
//     params an array, an object (named parameters), or absent; any or no
//     Content-Type; batches as JSON arrays.
//   - 1.x replies carry "result", "error" and "id" (one of the first two
//     null); 2.0 replies carry "jsonrpc":"2.0", "id" and exactly one of
//     "result" and "error". Content-Type is exactly application/json and
//     each reply ends with a newline, as Core's.
//   - HTTP status of a single 1.x request: 200 on success, 400 for -32600
//     (invalid request), 404 for -32601 (method not found), 500 for any
//     other error, parse errors (-32700) included, always with the JSON
//     body. A single 2.0 request gets 200 with the error in the body once
//     the request object is understood (Core ≥ 28); -32600 and -32700 keep
//     their 400 and 500. 2.0 requests without "id" are notifications:
//     executed, answered 204 with no body. Batches are answered 200 with an
//     array of replies (notifications left out; 204 if nothing is left);
//     an empty batch is answered 200 with [].
//   - Too many arguments, or too few, are answered with the method's help
//     text as the message and code -1 (RPC_MISC_ERROR); an argument of the
//     wrong JSON type with -3 (RPC_TYPE_ERROR) and Core's "Wrong type
//     passed" message; an error a handler returns that is not an *Error
//     with -1 and its text.
//
// Limits: a request body of at most MaxBodyBytes (32 MiB, Core's), larger
// bodies answered 413 with no JSON; at most Config.MaxBatch requests in a
// batch; Config.Threads requests executing at once and Config.WorkQueue
// more waiting, beyond which requests are answered 503 "Work queue depth
// exceeded" (Core's -rpcthreads, -rpcworkqueue); reading a request and
// writing its reply each time out after Config.Timeout, as does an idle
// keep-alive connection (Core's -rpcservertimeout).
package rpc
