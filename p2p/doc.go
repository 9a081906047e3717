// Package p2p is nodecoin's peer-to-peer node: the Bitcoin P2P protocol
// (package message) over TCP with the network's magic.
//
// A Server (New, then Run(ctx)) listens for peers, keeps the --connect and
// --addnode peers connected with back-off, fills up to eight outbound slots
// from its address book (learned from addr messages and successful
// connections, persisted as peers.json) unless --connect was given, and
// evicts an inbound peer when full, protecting the four that last gave a
// new block, the four that last gave a new transaction, the four fastest
// and one per /16.
// Addresses are gossiped as Bitcoin Core does (addrrelay.go): a listening
// node advertises its own address to its outbound peers and to every peer
// about daily, small addr messages of fresh addresses are passed on to two
// other peers, and each peer's addresses are rate-limited.
//
// Each Peer performs the version/verack handshake (protocol 70016, services
// NODE_NETWORK only, the relay byte; peers from 70001 up are accepted) within
// the handshake timeout, then reads messages on its own goroutine and writes
// them from a bounded queue on another; it is pinged every ping interval and
// dropped when a ping stays unanswered past the ping timeout or nothing
// arrives within the idle timeout. Unknown messages are ignored.
//
// Sync is headers-first: getheaders with a locator at connection (during
// the initial download, while the best header is over a day old, only to
// one headers sync peer, replaced when it leaves or delivers nothing for
// two minutes while another peer claims more), after every full headers
// message and when a peer announces an unknown block;
// the chain indexes the headers (chain.ProcessHeaders), and the scheduler
// fetches the missing blocks of the best header chain within a window above
// the tip from all peers in parallel, at most MaxInFlight per peer, asking
// another peer for a block not delivered within the stall timeout and
// dropping a peer that stalls repeatedly. getheaders, getblocks (500
// hashes, then an inv of the tip when the peer asks for the last of them),
// getdata (blocks, pool transactions, notfound otherwise), mempool and
// getaddr are answered.
//
// Relay: a new tip is announced by headers to peers that sent sendheaders
// and by inv to the others; transactions accepted to the pool (TxAccepted,
// called by the pool's observer) are announced by inv at random,
// exponentially distributed intervals, batched, above each peer's
// feefilter, and never to a peer that has or announced them (a bounded
// known-inventory set per peer). Received transactions go to the pool,
// whose bounded orphan pool keeps those with missing parents, which are
// then asked of the sender. While catching up (chain.BestState.CatchingUp:
// the best header more than 144 blocks above the tip) announced
// transactions are not asked for.
//
// Misbehaviour adds to a score kept per IP address across its
// connections: an invalid block, header or transaction 100, more than
// MaxLowWorkHeaders (20,000) headers of chains with less work than the tip
// 100 (each costs index memory, and SHA-256 hardware makes them cheap on
// a young chain), garbage or
// another network's magic 50 (and the connection ends: the stream is
// lost), a payload over its command's limit 50 (likewise; an inv of more
// than 50,000 entries is one), an undecodable payload 20, a message flood
// 20, every tenth headers message that does not connect 20, a bad checksum
// 10, a block nobody asked for that brings nothing new 5. At 100 the
// address is banned for 24 hours: a single IP, never a range; its peers
// are disconnected and its connections refused at accept; the ban list is
// written atomically to banlist.json. Manual peers are disconnected but
// never banned. Banning by IP means that every peer on 127.0.0.1 shares one
// score, so the daemon tests give each hostile peer its own loopback
// address (127.0.0.2 and up, which Linux routes to lo) while the honest
// peers use 127.0.0.1.
package p2p
