package stratum

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nodecoin/nodecoin/chain/address"
	"github.com/nodecoin/nodecoin/chain/wire"
	"github.com/nodecoin/nodecoin/miner/grind"
)

// Per-connection bounds.
const (
	// maxJobsPerConn is how many jobs of the current tip a connection
	// keeps; older ones are stale.
	maxJobsPerConn = 16
	// maxWorkersPerConn bounds the workers authorized on one connection.
	maxWorkersPerConn = 32
	// maxWorkerName bounds a worker's full name, ADDRESS.name.
	maxWorkerName = 128
	// maxSharesPerJob bounds the duplicate check's memory per job.
	maxSharesPerJob = 1 << 14
	// readBufferSize is the read buffer of a connection; longer lines are
	// assembled up to MaxLineLength.
	readBufferSize = 1024
)

// Reject reasons, the label values of the rejected shares.
const (
	ReasonStale         = "stale"
	ReasonDuplicate     = "duplicate"
	ReasonLowDifficulty = "low-difficulty"
	ReasonUnauthorized  = "unauthorized"
	ReasonNotSubscribed = "not-subscribed"
	ReasonInvalid       = "invalid"
	ReasonRateLimited   = "rate-limited"
)

// RejectReasons lists every reject reason.
var RejectReasons = []string{ReasonStale, ReasonDuplicate, ReasonLowDifficulty, ReasonUnauthorized,
	ReasonNotSubscribed, ReasonInvalid, ReasonRateLimited}

// job is a job sent to one connection.
type job struct {
	id             string
	t              *template
	coinb1, coinb2 []byte
	en1            uint32
	diff           float64 // credited difficulty of its shares
	target         grind.Target
	seen           map[shareID]struct{}
}

// shareID identifies a share within its job.
type shareID struct {
	en2, ntime, nonce, version uint32
}

// worker is a worker authorized on a connection.
type worker struct {
	name    string
	address string
	script  []byte
}

// conn is one miner's connection. Its mu guards every field below it;
// Server.mu may be held when taking it, never the reverse.
type conn struct {
	s      *Server
	nc     net.Conn
	remote string
	out    chan []byte   // lines to write; nil asks the writer to close
	done   chan struct{} // closed when the connection is torn down
	once   sync.Once

	mu            sync.Mutex
	subscribed    bool
	sid           string
	en1           uint32
	extranonceSub bool
	versionMask   uint32
	workers       map[string]*worker
	payTo         *worker // the first worker authorized: solo coinbases pay it
	vd            *Vardiff
	sentDiff      float64
	jobs          map[string]*job
	jobOrder      []string
	tokens        float64
	tokensAt      time.Time
	malformed     int
	retargeted    bool // the difficulty changed: a clean job follows the reply
}

func newConn(s *Server, nc net.Conn) *conn {
	now := s.cfg.Now()
	return &conn{s: s, nc: nc, remote: nc.RemoteAddr().String(), out: make(chan []byte, outQueue),
		done: make(chan struct{}), workers: make(map[string]*worker), jobs: make(map[string]*job),
		vd: NewVardiff(s.cfg.Vardiff, s.cfg.StartDifficulty, now), tokens: 2 * s.cfg.SubmitsPerSecond, tokensAt: now}
}

// kill tears the connection down at once.
func (c *conn) kill() {
	c.once.Do(func() {
		close(c.done)
		c.nc.Close()
	})
}

// send queues a line for the writer; a miner that lets outQueue lines pile
// up is dropped.
func (c *conn) send(line []byte) {
	select {
	case <-c.done:
	case c.out <- line:
	default:
		c.s.log.Info("stratum: dropping a miner that does not read", "remote", c.remote)
		c.kill()
	}
}

// reply sends the answer to request id.
func (c *conn) reply(id json.RawMessage, result any, err *Error) {
	if err != nil {
		result = nil
	}
	c.send(encodeLine(response{ID: id, Result: result, Error: err}))
}

// notify sends a server-to-miner request.
func (c *conn) notify(method string, params ...any) {
	if params == nil {
		params = []any{}
	}
	c.send(encodeLine(notification{ID: nil, Method: method, Params: params}))
}

// reconnectAndClose asks the miner to reconnect (client.reconnect, at
// shutdown) and closes the connection once the line is written.
func (c *conn) reconnectAndClose() {
	c.notify("client.reconnect")
	select {
	case <-c.done:
	case c.out <- nil:
	default:
		c.kill()
	}
}

// writeLoop writes queued lines until the connection is torn down or a
// nil line asks it to close.
func (c *conn) writeLoop() {
	defer c.s.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case line := <-c.out:
			if line == nil {
				c.kill()
				return
			}
			c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := c.nc.Write(line); err != nil {
				c.kill()
				return
			}
		}
	}
}

// readLoop reads and handles request lines until the connection fails,
// closes or misbehaves, then tears it down.
func (c *conn) readLoop() {
	defer c.s.wg.Done()
	defer func() {
		c.kill()
		c.mu.Lock()
		en1, sid, subscribed := c.en1, c.sid, c.subscribed
		names := make([]string, 0, len(c.workers))
		for n := range c.workers {
			names = append(names, n)
		}
		c.mu.Unlock()
		c.s.closed(c, en1, sid, subscribed)
		c.s.stats.workersGone(names)
	}()
	r := bufio.NewReaderSize(c.nc, readBufferSize)
	var long []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(long)+len(frag) > MaxLineLength {
			c.reply(json.RawMessage("null"), nil, newError(CodeOther, "line longer than %d bytes", MaxLineLength))
			c.flushAndClose()
			return
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, frag...)
			continue
		}
		if err != nil {
			return
		}
		line := frag
		if long != nil {
			line = append(long, frag...)
			long = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !c.handle(line) {
			c.flushAndClose()
			return
		}
	}
}

// flushAndClose closes the connection after the lines queued are written.
func (c *conn) flushAndClose() {
	select {
	case <-c.done:
	case c.out <- nil:
		// The writer closes the connection; wait for it, bounded.
		select {
		case <-c.done:
		case <-time.After(writeTimeout):
			c.kill()
		}
	default:
		c.kill()
	}
}

// abuse counts a malformed request and reports whether the connection may
// go on.
func (c *conn) abuse() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.malformed++
	return c.malformed < c.s.cfg.MaxMalformed
}

// handle answers one request line; it reports false when the connection
// must be dropped.
func (c *conn) handle(line []byte) bool {
	req, err := ParseRequest(line)
	if err != nil {
		id := json.RawMessage("null")
		if req != nil {
			id = req.ID
		}
		c.reply(id, nil, newError(CodeOther, "malformed request"))
		return c.abuse()
	}
	var result any
	var serr *Error
	switch req.Method {
	case "mining.subscribe":
		result, serr = c.subscribe(req.Params)
	case "mining.authorize":
		result, serr = c.authorize(req.Params)
	case "mining.configure":
		result, serr = c.configure(req.Params)
	case "mining.extranonce.subscribe":
		c.mu.Lock()
		c.extranonceSub = true
		c.mu.Unlock()
		result = true
	case "mining.suggest_difficulty":
		result, serr = c.suggestDifficulty(req.Params)
	case "mining.submit":
		result, serr = c.submit(req.Params)
	default:
		// Miners send methods of other extensions (mining.get_transactions,
		// mining.multi_version, …): answered, not counted as abuse. An
		// unknown notification gets no answer.
		if string(req.ID) != "null" {
			c.reply(req.ID, nil, newError(CodeOther, "unknown method %q", truncate(req.Method, 64)))
		}
		return true
	}
	c.reply(req.ID, result, serr)
	c.afterReply(req.Method, serr == nil)
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// afterReply sends what follows a successful request: the first
// difficulty and job once the connection is subscribed and authorized.
func (c *conn) afterReply(method string, ok bool) {
	if !ok {
		return
	}
	switch method {
	case "mining.subscribe", "mining.authorize", "mining.suggest_difficulty":
	case "mining.submit":
		c.mu.Lock()
		again := c.retargeted
		c.retargeted = false
		c.mu.Unlock()
		if !again {
			return
		}
	default:
		return
	}
	if t := c.s.current(); t != nil {
		c.sendJob(t, true)
	}
}

// subscribe handles mining.subscribe [user agent, subscription id, ...]:
// the subscription id and extranonce1 (the session's again when the id is
// known), and the extranonce2 size.
func (c *conn) subscribe(params []json.RawMessage) (any, *Error) {
	var sid string
	if len(params) > 1 {
		sid, _ = paramString(params, 1) // a non-string id is a new session
	}
	c.mu.Lock()
	if c.subscribed {
		sid, en1 := c.sid, c.en1
		c.mu.Unlock()
		return subscribeResult(sid, en1), nil
	}
	c.mu.Unlock()
	sid, en1 := c.s.subscribe(c, sid)
	c.mu.Lock()
	c.subscribed, c.sid, c.en1 = true, sid, en1
	c.mu.Unlock()
	return subscribeResult(sid, en1), nil
}

func subscribeResult(sid string, en1 uint32) any {
	return []any{[]any{[]any{"mining.set_difficulty", sid}, []any{"mining.notify", sid}},
		fmt.Sprintf("%08x", en1), ExtraNonce2Size}
}

// authorize handles mining.authorize [ADDRESS[.worker], password]; the
// password is ignored.
func (c *conn) authorize(params []json.RawMessage) (any, *Error) {
	name, err := paramString(params, 0)
	if err != nil {
		return nil, err
	}
	w, serr := c.s.parseWorker(name)
	if serr != nil {
		return nil, serr
	}
	c.mu.Lock()
	if _, ok := c.workers[name]; !ok {
		if len(c.workers) >= maxWorkersPerConn {
			c.mu.Unlock()
			return nil, newError(CodeUnauthorized, "too many workers on one connection")
		}
		c.workers[name] = w
		if c.payTo == nil {
			c.payTo = w
		}
		c.mu.Unlock()
		c.s.stats.workerSeen(w.name, w.address, c.s.cfg.Now())
	} else {
		c.mu.Unlock()
	}
	c.s.log.Info("stratum worker authorized", "worker", name, "remote", c.remote)
	return true, nil
}

// parseWorker checks a worker name: a nodecoin address of the server's
// network, optionally followed by "." and a name.
func (s *Server) parseWorker(name string) (*worker, *Error) {
	if len(name) == 0 || len(name) > maxWorkerName {
		return nil, newError(CodeUnauthorized, "worker name must be ADDRESS or ADDRESS.name, at most %d bytes", maxWorkerName)
	}
	addr, _, _ := strings.Cut(name, ".")
	a, err := address.Decode(addr, s.params.AddressPrefixes())
	if err != nil {
		return nil, newError(CodeUnauthorized, "unauthorized worker: %q is not a %s address", truncate(addr, 64), s.params.Name)
	}
	return &worker{name: name, address: a.String(), script: a.ScriptPubKey()}, nil
}

// configure handles mining.configure [[extensions], {parameters}] (BIP
// 310): version-rolling with the server's mask ANDed with the miner's,
// minimum-difficulty as a difficulty suggestion; other extensions are
// answered false.
func (c *conn) configure(params []json.RawMessage) (any, *Error) {
	var exts []string
	if len(params) < 1 || json.Unmarshal(params[0], &exts) != nil || len(exts) > maxParams {
		return nil, newError(CodeOther, "mining.configure needs a list of extensions")
	}
	var opts map[string]json.RawMessage
	if len(params) > 1 {
		json.Unmarshal(params[1], &opts) // absent or malformed options read as none
	}
	result := make(map[string]any)
	for _, ext := range exts {
		switch ext {
		case "version-rolling":
			mask := uint32(0xffffffff)
			if raw, ok := opts["version-rolling.mask"]; ok {
				var s string
				v, err := strconv.ParseUint(strings.Trim(string(raw), `"`), 16, 32)
				if json.Unmarshal(raw, &s) != nil || err != nil {
					return nil, newError(CodeOther, "version-rolling.mask must be hex")
				}
				mask = uint32(v)
			}
			mask &= VersionRollingMask
			c.mu.Lock()
			c.versionMask = mask
			c.mu.Unlock()
			result["version-rolling"] = mask != 0
			result["version-rolling.mask"] = fmt.Sprintf("%08x", mask)
		case "minimum-difficulty":
			var d float64
			if raw, ok := opts["minimum-difficulty.value"]; ok && json.Unmarshal(raw, &d) == nil && d > 0 {
				c.mu.Lock()
				if d > c.vd.Difficulty() {
					c.vd.Set(d, c.s.cfg.Now())
				}
				c.mu.Unlock()
				result["minimum-difficulty"] = true
			} else {
				result["minimum-difficulty"] = false
			}
		default:
			result[truncate(ext, 64)] = false
		}
	}
	return result, nil
}

// suggestDifficulty handles mining.suggest_difficulty [difficulty]: the
// connection's difficulty becomes it, within the bounds.
func (c *conn) suggestDifficulty(params []json.RawMessage) (any, *Error) {
	d, err := paramNumber(params, 0)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.vd.Set(d, c.s.cfg.Now())
	c.mu.Unlock()
	return true, nil
}

// sendJob sends a job of t: set_difficulty first when the difficulty
// differs from the last one sent, then mining.notify. Jobs of another tip
// are forgotten. It does nothing and reports false before the connection
// is subscribed and authorized.
func (c *conn) sendJob(t *template, clean bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sendJobLocked(t, clean)
}

func (c *conn) sendJobLocked(t *template, clean bool) bool {
	if !c.subscribed || c.payTo == nil {
		return false
	}
	cb1, cb2, err := t.coinbase(c.payTo.script)
	if err != nil {
		c.s.log.Error("stratum: cannot build a coinbase", "err", err)
		return false
	}
	target, diff := jobTarget(c.vd.Difficulty(), t.netTarget)
	j := &job{id: c.s.nextJobID(), t: t, coinb1: cb1, coinb2: cb2, en1: c.en1, diff: diff, target: target,
		seen: make(map[shareID]struct{})}
	kept := c.jobOrder[:0]
	for _, id := range c.jobOrder {
		if c.jobs[id].t.Header.PrevBlock == t.Header.PrevBlock {
			kept = append(kept, id)
		} else {
			delete(c.jobs, id)
		}
	}
	c.jobOrder = kept
	for len(c.jobOrder) >= maxJobsPerConn {
		delete(c.jobs, c.jobOrder[0])
		c.jobOrder = c.jobOrder[1:]
	}
	c.jobs[j.id] = j
	c.jobOrder = append(c.jobOrder, j.id)
	if diff != c.sentDiff {
		c.sentDiff = diff
		c.notify("mining.set_difficulty", diff)
	}
	c.notify("mining.notify", j.id, t.prevHash, hex.EncodeToString(cb1), hex.EncodeToString(cb2), t.branch,
		fmt.Sprintf("%08x", uint32(t.Header.Version)), fmt.Sprintf("%08x", t.Header.Bits),
		fmt.Sprintf("%08x", t.Header.Timestamp), clean)
	return true
}

// changeExtranonce gives the connection a new extranonce1 and
// subscription (its old one was taken back by a resuming miner): sent by
// mining.set_extranonce and followed by a clean job when the miner
// subscribed to extranonce changes; otherwise the connection is closed.
// Jobs already sent keep the extranonce1 they were issued with. The
// caller holds Server.mu, so t is passed in.
func (c *conn) changeExtranonce(en1 uint32, sid string, t *template) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.en1, c.sid = en1, sid
	if !c.extranonceSub {
		c.s.log.Info("stratum: closing a connection whose session resumed elsewhere", "remote", c.remote)
		go c.kill()
		return
	}
	c.notify("mining.set_extranonce", fmt.Sprintf("%08x", en1), ExtraNonce2Size)
	if t != nil {
		c.sendJobLocked(t, true)
	}
}

// checkVardiff re-evaluates the difficulty of a connection that sent no
// share for a while, sending a clean job when it changed.
func (c *conn) checkVardiff(now time.Time) {
	t := c.s.current()
	c.mu.Lock()
	defer c.mu.Unlock()
	if t != nil {
		c.vd.Cap(t.networkDifficulty())
	}
	if _, changed := c.vd.Check(now); changed && t != nil {
		c.sendJobLocked(t, true)
	}
}

// allow takes a submit token, refilled at SubmitsPerSecond up to twice
// that; the caller holds c.mu.
func (c *conn) allowLocked(now time.Time) bool {
	rate := c.s.cfg.SubmitsPerSecond
	c.tokens = min(2*rate, c.tokens+now.Sub(c.tokensAt).Seconds()*rate)
	c.tokensAt = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// submit handles mining.submit [worker, job id, extranonce2, ntime, nonce,
// version bits (optional)].
func (c *conn) submit(params []json.RawMessage) (any, *Error) {
	now := c.s.cfg.Now()
	name, _ := paramString(params, 0)
	c.mu.Lock()
	if !c.subscribed {
		c.mu.Unlock()
		return c.reject(name, ReasonNotSubscribed, newError(CodeNotSubscribed, "not subscribed"))
	}
	w := c.workers[name]
	if w == nil {
		c.mu.Unlock()
		return c.reject(name, ReasonUnauthorized, newError(CodeUnauthorized, "unauthorized worker"))
	}
	if !c.allowLocked(now) {
		c.mu.Unlock()
		return c.reject(name, ReasonRateLimited, newError(CodeOther, "too many submits; slow down"))
	}
	jobID, _ := paramString(params, 1)
	j := c.jobs[jobID]
	mask := c.versionMask
	c.mu.Unlock()
	if j == nil {
		return c.reject(name, ReasonStale, newError(CodeStaleJob, "job not found (stale)"))
	}
	if t := c.s.current(); t != nil && t.Header.PrevBlock != j.t.Header.PrevBlock {
		return c.reject(name, ReasonStale, newError(CodeStaleJob, "stale job"))
	}
	en2hex, serr := paramString(params, 2)
	if serr != nil {
		return c.reject(name, ReasonInvalid, serr)
	}
	en2b, err := hex.DecodeString(en2hex)
	if err != nil || len(en2b) != ExtraNonce2Size {
		return c.reject(name, ReasonInvalid, newError(CodeOther, "extranonce2 must be %d bytes of hex", ExtraNonce2Size))
	}
	ntime, serr := paramHex32(params, 3, "ntime")
	if serr != nil {
		return c.reject(name, ReasonInvalid, serr)
	}
	nonce, serr := paramHex32(params, 4, "nonce")
	if serr != nil {
		return c.reject(name, ReasonInvalid, serr)
	}
	version := uint32(j.t.Header.Version)
	var vbits uint32
	if len(params) > 5 {
		if vbits, serr = paramHex32(params, 5, "version bits"); serr != nil {
			return c.reject(name, ReasonInvalid, serr)
		}
		if vbits&^mask != 0 {
			return c.reject(name, ReasonInvalid, newError(CodeOther, "version bits %08x outside the negotiated mask %08x", vbits, mask))
		}
		version = version&^mask | vbits
	}
	if ntime < j.t.MinTime || int64(ntime) > now.Add(maxFutureBlockTime).Unix() {
		return c.reject(name, ReasonInvalid, newError(CodeOther, "ntime out of range"))
	}
	share := Share{Coinb1: j.coinb1, Coinb2: j.coinb2, EN1: j.en1, EN2: binary.BigEndian.Uint32(en2b),
		Branch: j.t.Branch, Header: j.t.Header}
	share.Header.Version, share.Header.Timestamp, share.Header.Nonce = int32(version), ntime, nonce
	hash, coinbase := share.Hash()

	// A block first, before anything else.
	var block bool
	if j.t.netTarget.Cmp(hashBig(hash)) >= 0 {
		cb, err := wire.DecodeTx(coinbase)
		if err == nil {
			block = c.s.submitBlock(j.t.Block(cb, int32(version), ntime, nonce), j.t, name)
		} else {
			c.s.log.Error("stratum: a solved coinbase does not decode", "err", err)
		}
	}
	id := shareID{en2: share.EN2, ntime: ntime, nonce: nonce, version: version}
	c.mu.Lock()
	if _, dup := j.seen[id]; dup {
		c.mu.Unlock()
		return c.reject(name, ReasonDuplicate, newError(CodeDuplicate, "duplicate share"))
	}
	if !j.target.Meets(hash) {
		c.mu.Unlock()
		return c.reject(name, ReasonLowDifficulty, newError(CodeLowDifficulty, "low difficulty share"))
	}
	if len(j.seen) < maxSharesPerJob {
		j.seen[id] = struct{}{}
	}
	c.vd.Cap(j.t.networkDifficulty())
	if _, changed := c.vd.Share(now); changed {
		c.retargeted = true // a clean job follows the reply
	}
	c.mu.Unlock()
	c.s.stats.accepted(name, j.diff, now)
	if err := c.s.cfg.Store.AddShare(ShareRecord{Time: now.Unix(), Difficulty: j.diff, Script: w.script, Worker: truncate(name, maxRecordField)}); err != nil {
		c.s.log.Error("stratum: cannot record a share", "err", err)
	}
	if block && c.s.cfg.Payout == PPLNS {
		// The new tip's job may have been built before this share was
		// recorded: a refreshed one pays the window with it.
		select {
		case c.s.again <- struct{}{}:
		default:
		}
	}
	return true, nil
}

// reject counts a rejected share and returns the error to answer.
func (c *conn) reject(worker, reason string, err *Error) (any, *Error) {
	c.s.stats.rejected(reason)
	c.s.log.Debug("stratum share rejected", "worker", truncate(worker, 64), "reason", reason, "remote", c.remote)
	return nil, err
}
