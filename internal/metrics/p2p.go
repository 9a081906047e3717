package metrics

import (
	"sync/atomic"
	"time"

	"github.com/nodecoin/nodecoin/p2p/message"
	"github.com/prometheus/client_golang/prometheus"
)

// P2P series:
//
//	nodecoin_p2p_peers{direction}                      gauge, connected peers, "inbound" or "outbound"
//	nodecoin_p2p_messages_received_total{command}      counter
//	nodecoin_p2p_messages_sent_total{command}          counter
//	nodecoin_p2p_received_bytes_total{command}         counter, framed message bytes
//	nodecoin_p2p_sent_bytes_total{command}             counter, framed message bytes
//	nodecoin_p2p_bans_total                            counter, addresses banned for misbehaviour
//	nodecoin_p2p_block_propagation_seconds             histogram, first announcement to acceptance of a new block
//	nodecoin_p2p_sync_height                           gauge, the greatest height a connected peer claims (-1 without peers)
//
// Against the sync height, nodecoin_chain_headers_height is how far the
// headers are synced and nodecoin_chain_height how far the blocks. The command
// label takes the commands of package message and "other", so a peer
// cannot create series by sending made-up commands.

// OtherCommand is the command label of messages whose command nodecoin
// does not model.
const OtherCommand = "other"

// PropagationBuckets are the block propagation histogram's buckets, in
// seconds.
var PropagationBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// p2pCommands are the command label values besides OtherCommand.
var p2pCommands = map[string]bool{
	message.CmdVersion: true, message.CmdVerAck: true, message.CmdPing: true, message.CmdPong: true,
	message.CmdInv: true, message.CmdGetData: true, message.CmdNotFound: true, message.CmdGetHeaders: true,
	message.CmdGetBlocks: true, message.CmdHeaders: true, message.CmdBlock: true, message.CmdTx: true,
	message.CmdAddr: true, message.CmdGetAddr: true, message.CmdMemPool: true, message.CmdSendHeaders: true,
	message.CmdFeeFilter: true,
}

// SyncSource is what the sync-height gauge reads at scrape time;
// *p2p.Server satisfies it.
type SyncSource interface {
	SyncHeight() int32
}

// p2pMetrics are the P2P layer's series.
type p2pMetrics struct {
	sync              atomic.Pointer[SyncSource]
	peers             *prometheus.GaugeVec
	msgsIn, msgsOut   *prometheus.CounterVec
	bytesIn, bytesOut *prometheus.CounterVec
	bans              prometheus.Counter
	propagation       prometheus.Histogram
}

func newP2PMetrics() *p2pMetrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "p2p", Name: name,
			Help: help}, []string{"command"})
	}
	m := &p2pMetrics{
		peers: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "p2p", Name: "peers",
			Help: "Connected peers, by direction."}, []string{"direction"}),
		msgsIn:   counter("messages_received_total", "P2P messages received, by command."),
		msgsOut:  counter("messages_sent_total", "P2P messages sent, by command."),
		bytesIn:  counter("received_bytes_total", "Bytes of P2P messages received (header included), by command."),
		bytesOut: counter("sent_bytes_total", "Bytes of P2P messages sent (header included), by command."),
		bans: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Subsystem: "p2p", Name: "bans_total",
			Help: "Peer addresses banned for misbehaviour since start."}),
		propagation: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: Namespace, Subsystem: "p2p",
			Name: "block_propagation_seconds", Help: "Time from a new block's first announcement by a peer to its acceptance.",
			Buckets: PropagationBuckets}),
	}
	m.peers.WithLabelValues("inbound")
	m.peers.WithLabelValues("outbound")
	return m
}

func (m *p2pMetrics) collectors() []prometheus.Collector {
	syncHeight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: Namespace, Subsystem: "p2p", Name: "sync_height",
		Help: "The greatest chain height a connected peer claims: the height the node syncs towards (-1 without peers)."},
		func() float64 {
			if src := m.sync.Load(); src != nil {
				return float64((*src).SyncHeight())
			}
			return -1
		})
	return []prometheus.Collector{m.peers, m.msgsIn, m.msgsOut, m.bytesIn, m.bytesOut, m.bans, m.propagation, syncHeight}
}

// SetSyncSource sets what the sync-height gauge reads; nil makes it -1.
func (m *Metrics) SetSyncSource(src SyncSource) {
	if src == nil {
		m.p2p.sync.Store(nil)
		return
	}
	m.p2p.sync.Store(&src)
}

func commandLabel(cmd string) string {
	if p2pCommands[cmd] {
		return cmd
	}
	return OtherCommand
}

func directionLabel(inbound bool) string {
	if inbound {
		return "inbound"
	}
	return "outbound"
}

// MessageSent counts a P2P message sent and its bytes (p2p.Observer).
func (m *Metrics) MessageSent(cmd string, bytes int) {
	l := commandLabel(cmd)
	m.p2p.msgsOut.WithLabelValues(l).Inc()
	m.p2p.bytesOut.WithLabelValues(l).Add(float64(bytes))
}

// MessageReceived counts a P2P message received and its bytes
// (p2p.Observer).
func (m *Metrics) MessageReceived(cmd string, bytes int) {
	l := commandLabel(cmd)
	m.p2p.msgsIn.WithLabelValues(l).Inc()
	m.p2p.bytesIn.WithLabelValues(l).Add(float64(bytes))
}

// PeerConnected counts a new connection (p2p.Observer).
func (m *Metrics) PeerConnected(inbound bool) {
	m.p2p.peers.WithLabelValues(directionLabel(inbound)).Inc()
}

// PeerDisconnected counts a connection that ended (p2p.Observer).
func (m *Metrics) PeerDisconnected(inbound bool) {
	m.p2p.peers.WithLabelValues(directionLabel(inbound)).Dec()
}

// Banned counts an address banned for misbehaviour (p2p.Observer).
func (m *Metrics) Banned() { m.p2p.bans.Inc() }

// BlockPropagation records how long a new block took from its first
// announcement to its acceptance (p2p.Observer).
func (m *Metrics) BlockPropagation(d time.Duration) { m.p2p.propagation.Observe(d.Seconds()) }
