package methods

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/nodecoin/nodecoin/internal/version"
	"github.com/nodecoin/nodecoin/p2p"
	"github.com/nodecoin/nodecoin/p2p/message"
	"github.com/nodecoin/nodecoin/rpc"
	"github.com/nodecoin/nodecoin/rpc/corejson"
)

// Bitcoin Core's P2P client error codes.
const (
	codeNodeAlreadyAdded     = -23
	codeNodeNotAdded         = -24
	codeNodeNotConnected     = -29
	codeInvalidIPOrSubnet    = -30
	defaultIncrementalFeeKB  = 1000
	servicesNetworkName      = "NETWORK"
	connectionTypeInbound    = "inbound"
	connectionTypeManual     = "manual"
	connectionTypeFullRelay  = "outbound-full-relay"
	numericVersionMultiplier = 10_000
)

// NetServer is what the network methods need of the P2P server;
// *p2p.Server satisfies it. Its methods are safe for concurrent use.
type NetServer interface {
	Peers() []p2p.PeerInfo
	ConnectionCount() (inbound, outbound int)
	Totals() (recv, sent uint64)
	AddNode(addr, command string) error
	DisconnectNode(addr string, id uint64) error
	SetBan(ip netip.Addr, add bool, until time.Time) bool
	Banned(ip netip.Addr) bool
	ListBanned() []p2p.Ban
	ClearBanned()
	Ping()
	UserAgent() string
	LocalServices() uint64
	Listening() bool
}

var _ NetServer = (*p2p.Server)(nil)

// Network returns the network methods of Bitcoin Core (getpeerinfo,
// getconnectioncount, getnetworkinfo, getnettotals, addnode,
// disconnectnode, setban, listbanned, clearbanned, ping) over s;
// relayFee is the node's minimum relay fee rate in base units per 1,000
// bytes (getnetworkinfo's relayfee).
func Network(s NetServer, relayFee int64) []rpc.Method {
	n := &network{s: s, now: time.Now, relayFee: relayFee}
	return []rpc.Method{n.getPeerInfo(), n.getConnectionCount(), n.getNetworkInfo(), n.getNetTotals(),
		n.addNode(), n.disconnectNode(), n.setBan(), n.listBanned(), n.clearBanned(), n.ping()}
}

type network struct {
	s        NetServer
	now      func() time.Time
	relayFee int64
}

// peerInfo is one entry of getpeerinfo.
type peerInfo struct {
	ID             uint64          `json:"id"`
	Addr           string          `json:"addr"`
	AddrBind       string          `json:"addrbind,omitempty"`
	Services       string          `json:"services"`
	ServicesNames  []string        `json:"servicesnames"`
	RelayTxes      bool            `json:"relaytxes"`
	LastSend       int64           `json:"lastsend"`
	LastRecv       int64           `json:"lastrecv"`
	BytesSent      uint64          `json:"bytessent"`
	BytesRecv      uint64          `json:"bytesrecv"`
	ConnTime       int64           `json:"conntime"`
	TimeOffset     int64           `json:"timeoffset"`
	PingTime       *float64        `json:"pingtime,omitempty"`
	MinPing        *float64        `json:"minping,omitempty"`
	PingWait       *float64        `json:"pingwait,omitempty"`
	Version        int32           `json:"version"`
	SubVer         string          `json:"subver"`
	Inbound        bool            `json:"inbound"`
	StartingHeight int32           `json:"startingheight"`
	SyncedHeaders  int32           `json:"synced_headers"`
	SyncedBlocks   int32           `json:"synced_blocks"`
	InFlight       int             `json:"inflight_count"`
	BanScore       int             `json:"banscore"`
	MinFeeFilter   corejson.Amount `json:"minfeefilter"`
	ConnectionType string          `json:"connection_type"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func seconds(d time.Duration) *float64 {
	if d <= 0 {
		return nil
	}
	v := d.Seconds()
	return &v
}

func servicesNames(s uint64) []string {
	names := []string{}
	if s&message.ServiceNodeNetwork != 0 {
		names = append(names, servicesNetworkName)
	}
	return names
}

func (n *network) getPeerInfo() rpc.Method {
	return rpc.Method{
		Name:        "getpeerinfo",
		Category:    "network",
		Description: "Returns data about each connected network peer as a json array of objects.",
		Result: `[                                 (json array)
  {                               (json object)
    "id" : n,                     (numeric) Peer index
    "addr" : "str",               (string) (host:port) The IP address and port of the peer
    "addrbind" : "str",           (string) (ip:port) Bind address of the connection to the peer
    "services" : "hex",           (string) The services offered
    "servicesnames" : [ "str" ],  (json array) the services offered, in human-readable form
    "relaytxes" : true|false,     (boolean) Whether peer has asked us to relay transactions to it
    "lastsend" : xxx,             (numeric) The UNIX epoch time of the last send
    "lastrecv" : xxx,             (numeric) The UNIX epoch time of the last receive
    "bytessent" : n,              (numeric) The total bytes sent
    "bytesrecv" : n,              (numeric) The total bytes received
    "conntime" : xxx,             (numeric) The UNIX epoch time of the connection
    "timeoffset" : n,             (numeric) The time offset in seconds
    "pingtime" : n,               (numeric) ping time (if available)
    "minping" : n,                (numeric) minimum observed ping time (if any at all)
    "pingwait" : n,               (numeric) ping wait (if non-zero)
    "version" : n,                (numeric) The peer version, such as 70016
    "subver" : "str",             (string) The string version
    "inbound" : true|false,       (boolean) Inbound (true) or Outbound (false)
    "startingheight" : n,         (numeric) The starting height (block) of the peer
    "synced_headers" : n,         (numeric) The last header we have in common with this peer
    "synced_blocks" : n,          (numeric) The last block we have in common with this peer
    "inflight_count" : n,         (numeric) (nodecoin) blocks requested from this peer and not yet received
    "banscore" : n,               (numeric) (nodecoin) the misbehaviour score of this connection
    "minfeefilter" : n,           (numeric) The minimum fee rate for transactions this peer accepts
    "connection_type" : "str"     (string) inbound, outbound-full-relay or manual
  },
  ...
]`,
		Examples: rpc.ExampleCLI("getpeerinfo", "") + rpc.ExampleRPC("getpeerinfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			out := []peerInfo{}
			for _, p := range n.s.Peers() {
				ct := connectionTypeFullRelay
				switch {
				case p.Manual:
					ct = connectionTypeManual
				case p.Inbound:
					ct = connectionTypeInbound
				}
				out = append(out, peerInfo{ID: p.ID, Addr: p.Addr, AddrBind: p.LocalAddr,
					Services: fmt.Sprintf("%016x", p.Services), ServicesNames: servicesNames(p.Services),
					RelayTxes: p.Relay, LastSend: unixOrZero(p.LastSend), LastRecv: unixOrZero(p.LastRecv),
					BytesSent: p.BytesSent, BytesRecv: p.BytesRecv, ConnTime: unixOrZero(p.ConnTime),
					PingTime: seconds(p.PingTime), MinPing: seconds(p.MinPing), PingWait: seconds(p.PingWait),
					Version: p.Version, SubVer: p.UserAgent, Inbound: p.Inbound, StartingHeight: p.StartingHeight,
					SyncedHeaders: p.SyncedHeaders, SyncedBlocks: p.SyncedBlocks, InFlight: p.InFlight,
					BanScore: p.BanScore, MinFeeFilter: corejson.Amount(p.FeeFilter), ConnectionType: ct})
			}
			return out, nil
		},
	}
}

func (n *network) getConnectionCount() rpc.Method {
	return rpc.Method{
		Name:        "getconnectioncount",
		Category:    "network",
		Description: "Returns the number of connections to other nodes.",
		Result:      "n    (numeric) The connection count",
		Examples:    rpc.ExampleCLI("getconnectioncount", "") + rpc.ExampleRPC("getconnectioncount", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			in, out := n.s.ConnectionCount()
			return in + out, nil
		},
	}
}

// networkInfo is getnetworkinfo's result.
type networkInfo struct {
	Version            int             `json:"version"`
	SubVersion         string          `json:"subversion"`
	ProtocolVersion    int32           `json:"protocolversion"`
	LocalServices      string          `json:"localservices"`
	LocalServicesNames []string        `json:"localservicesnames"`
	LocalRelay         bool            `json:"localrelay"`
	TimeOffset         int             `json:"timeoffset"`
	NetworkActive      bool            `json:"networkactive"`
	Connections        int             `json:"connections"`
	ConnectionsIn      int             `json:"connections_in"`
	ConnectionsOut     int             `json:"connections_out"`
	Networks           []networkEntry  `json:"networks"`
	RelayFee           corejson.Amount `json:"relayfee"`
	IncrementalFee     corejson.Amount `json:"incrementalfee"`
	LocalAddresses     []any           `json:"localaddresses"`
	Warnings           string          `json:"warnings"`
}

type networkEntry struct {
	Name                      string `json:"name"`
	Limited                   bool   `json:"limited"`
	Reachable                 bool   `json:"reachable"`
	Proxy                     string `json:"proxy"`
	ProxyRandomizeCredentials bool   `json:"proxy_randomize_credentials"`
}

// numericVersion turns "0.1.0" into Core's integer form (100 for 0.1.0,
// major*10000 + minor*100 + patch).
func numericVersion(v string) int {
	var major, minor, patch int
	fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch)
	return major*numericVersionMultiplier + minor*100 + patch
}

func (n *network) getNetworkInfo() rpc.Method {
	return rpc.Method{
		Name:        "getnetworkinfo",
		Category:    "network",
		Description: "Returns an object containing various state info regarding P2P networking.",
		Result: `{                                  (json object)
  "version" : n,                   (numeric) the server version
  "subversion" : "str",            (string) the server subversion string
  "protocolversion" : n,           (numeric) the protocol version
  "localservices" : "hex",         (string) the services we offer to the network
  "localservicesnames" : [ "str" ],(json array) the services we offer to the network, in human-readable form
  "localrelay" : true|false,       (boolean) true if transaction relay is requested from peers
  "timeoffset" : n,                (numeric) the time offset
  "networkactive" : true|false,    (boolean) whether p2p networking is enabled
  "connections" : n,               (numeric) the total number of connections
  "connections_in" : n,            (numeric) the number of inbound connections
  "connections_out" : n,           (numeric) the number of outbound connections
  "networks" : [ ... ],            (json array) information per network
  "relayfee" : n,                  (numeric) minimum relay fee rate for transactions in NDC/kvB
  "incrementalfee" : n,            (numeric) minimum fee rate increment for mempool limiting or replacement in NDC/kvB
  "localaddresses" : [ ... ],      (json array) list of local addresses
  "warnings" : "str"               (string) any network and blockchain warnings
}`,
		Examples: rpc.ExampleCLI("getnetworkinfo", "") + rpc.ExampleRPC("getnetworkinfo", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			in, out := n.s.ConnectionCount()
			return networkInfo{Version: numericVersion(version.Version), SubVersion: n.s.UserAgent(),
				ProtocolVersion: message.ProtocolVersion, LocalServices: fmt.Sprintf("%016x", n.s.LocalServices()),
				LocalServicesNames: servicesNames(n.s.LocalServices()), LocalRelay: true, NetworkActive: true,
				Connections: in + out, ConnectionsIn: in, ConnectionsOut: out,
				Networks: []networkEntry{{Name: "ipv4", Reachable: true}, {Name: "ipv6", Reachable: true}},
				RelayFee: corejson.Amount(n.relayFee), IncrementalFee: defaultIncrementalFeeKB,
				LocalAddresses: []any{}}, nil
		},
	}
}

// netTotals is getnettotals' result.
type netTotals struct {
	TotalBytesRecv uint64       `json:"totalbytesrecv"`
	TotalBytesSent uint64       `json:"totalbytessent"`
	TimeMillis     int64        `json:"timemillis"`
	UploadTarget   uploadTarget `json:"uploadtarget"`
}

type uploadTarget struct {
	Timeframe             int64 `json:"timeframe"`
	Target                int64 `json:"target"`
	TargetReached         bool  `json:"target_reached"`
	ServeHistoricalBlocks bool  `json:"serve_historical_blocks"`
	BytesLeftInCycle      int64 `json:"bytes_left_in_cycle"`
	TimeLeftInCycle       int64 `json:"time_left_in_cycle"`
}

func (n *network) getNetTotals() rpc.Method {
	return rpc.Method{
		Name:     "getnettotals",
		Category: "network",
		Description: "Returns information about network traffic, including bytes in, bytes out,\n" +
			"and current system time.",
		Result: `{                          (json object)
  "totalbytesrecv" : n,    (numeric) Total bytes received
  "totalbytessent" : n,    (numeric) Total bytes sent
  "timemillis" : xxx,      (numeric) Current system UNIX epoch time in milliseconds
  "uploadtarget" : { ... } (json object) nodecoin has no upload target: always 0 and not reached
}`,
		Examples: rpc.ExampleCLI("getnettotals", "") + rpc.ExampleRPC("getnettotals", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			recv, sent := n.s.Totals()
			return netTotals{TotalBytesRecv: recv, TotalBytesSent: sent, TimeMillis: n.now().UnixMilli(),
				UploadTarget: uploadTarget{Timeframe: 86400, ServeHistoricalBlocks: true}}, nil
		},
	}
}

func (n *network) addNode() rpc.Method {
	return rpc.Method{
		Name:     "addnode",
		Category: "network",
		Args: []rpc.Arg{
			{Name: "node", Type: rpc.TypeString, Description: "The address of the peer to connect to (HOST:PORT)"},
			{Name: "command", Type: rpc.TypeString, Description: "'add' to add a node to the list, 'remove' to remove a node from the list, 'onetry' to try a connection to the node once"},
		},
		Description: "Attempts to add or remove a node from the addnode list.\n" +
			"Or try a connection to a node once.\n" +
			"Nodes added using addnode (or --connect/--addnode) are protected from eviction and never banned.",
		Result:   "null    (json null)",
		Examples: rpc.ExampleCLI("addnode", `"192.168.0.6:9633" "onetry"`) + rpc.ExampleRPC("addnode", `"192.168.0.6:9633", "onetry"`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			node, err := p.String(0)
			if err != nil {
				return nil, err
			}
			cmd, err := p.String(1)
			if err != nil {
				return nil, err
			}
			if cmd != "add" && cmd != "remove" && cmd != "onetry" {
				return nil, rpc.NewError(rpc.CodeMisc, "addnode \"node\" \"command\": command must be one of add, remove, onetry")
			}
			err = n.s.AddNode(node, cmd)
			switch {
			case err == nil:
				return nil, nil
			case errors.Is(err, p2p.ErrAlreadyAdded):
				return nil, rpc.NewError(codeNodeAlreadyAdded, "Error: Node already added")
			case errors.Is(err, p2p.ErrNotAdded):
				return nil, rpc.NewError(codeNodeNotAdded, "Error: Node could not be removed. It has not been added previously.")
			}
			return nil, rpc.NewError(rpc.CodeInvalidParameter, err.Error())
		},
	}
}

func (n *network) disconnectNode() rpc.Method {
	return rpc.Method{
		Name:     "disconnectnode",
		Category: "network",
		Args: []rpc.Arg{
			{Name: "address", Type: rpc.TypeString, Optional: true, Default: "fallback to nodeid", Description: "The IP address/port of the node"},
			{Name: "nodeid", Type: rpc.TypeNumber, Optional: true, Default: "fallback to address", Description: "The node ID (see getpeerinfo for node IDs)"},
		},
		Description: "Immediately disconnects from the specified peer node.\n\n" +
			"Strictly one out of 'address' and 'nodeid' can be provided to identify the node.\n\n" +
			"To disconnect by nodeid, either set 'address' to the empty string, or call using the named 'nodeid' argument only.",
		Result:   "null    (json null)",
		Examples: rpc.ExampleCLI("disconnectnode", `"192.168.0.6:9633"`) + rpc.ExampleCLI("disconnectnode", `"" 1`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			addr, err := p.OptionalString(0, "")
			if err != nil {
				return nil, err
			}
			var id uint64
			switch {
			case addr != "" && p.IsNull(1):
			case addr == "" && !p.IsNull(1):
				v, err := p.Int(1)
				if err != nil {
					return nil, err
				}
				if v < 0 {
					return nil, rpc.NewError(codeNodeNotConnected, "Node not found in connected nodes")
				}
				id = uint64(v)
			default:
				return nil, rpc.NewError(rpc.CodeInvalidParams, "Only one of address and nodeid should be provided.")
			}
			if err := n.s.DisconnectNode(addr, id); err != nil {
				return nil, rpc.NewError(codeNodeNotConnected, "Node not found in connected nodes")
			}
			return nil, nil
		},
	}
}

// parseBanAddr parses setban's subnet argument: a single address, bare or
// as a /32 (IPv4) or /128 (IPv6) prefix. Ranges are refused: nodecoin bans
// single addresses.
func parseBanAddr(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), nil
	}
	if pfx, err := netip.ParsePrefix(s); err == nil {
		a := pfx.Addr().Unmap()
		if pfx.Bits() == a.BitLen() || (pfx.Addr().Is4In6() && pfx.Bits() == 128) {
			return a, nil
		}
		return netip.Addr{}, rpc.NewError(codeInvalidIPOrSubnet, "Error: nodecoin bans single addresses, not subnets")
	}
	return netip.Addr{}, rpc.NewError(codeInvalidIPOrSubnet, "Error: Invalid IP/Subnet")
}

func (n *network) setBan() rpc.Method {
	return rpc.Method{
		Name:     "setban",
		Category: "network",
		Args: []rpc.Arg{
			{Name: "subnet", Type: rpc.TypeString, Description: "The IP address (a single address; /32 or /128 accepted)"},
			{Name: "command", Type: rpc.TypeString, Description: "'add' to add an IP to the list, 'remove' to remove an IP from the list"},
			{Name: "bantime", Type: rpc.TypeNumber, Optional: true, Default: "0", Description: "time in seconds how long (or until when if [absolute] is set) the IP is banned (0 or empty means using the default time of 24h)"},
			{Name: "absolute", Type: rpc.TypeBool, Optional: true, Default: "false", Description: "If set, the bantime must be an absolute timestamp expressed in UNIX epoch time"},
		},
		Description: "Attempts to add or remove an IP from the banned list.",
		Result:      "null    (json null)",
		Examples:    rpc.ExampleCLI("setban", `"192.168.0.6" "add" 86400`) + rpc.ExampleRPC("setban", `"192.168.0.6", "add", 86400`),
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			subnet, err := p.String(0)
			if err != nil {
				return nil, err
			}
			cmd, err := p.String(1)
			if err != nil {
				return nil, err
			}
			if cmd != "add" && cmd != "remove" {
				return nil, rpc.NewError(rpc.CodeMisc, "setban \"subnet\" \"command\": command must be add or remove")
			}
			bantime, err := p.OptionalInt(2, 0)
			if err != nil {
				return nil, err
			}
			absolute, err := p.OptionalBool(3, false)
			if err != nil {
				return nil, err
			}
			ip, err := parseBanAddr(strings.TrimSpace(subnet))
			if err != nil {
				return nil, err
			}
			if cmd == "remove" {
				if !n.s.SetBan(ip, false, time.Time{}) {
					return nil, rpc.NewError(codeInvalidIPOrSubnet, "Error: Unban failed. Requested address/subnet was not previously manually banned.")
				}
				return nil, nil
			}
			if n.s.Banned(ip) {
				return nil, rpc.NewError(codeNodeAlreadyAdded, "Error: IP/Subnet already banned")
			}
			var until time.Time
			switch {
			case absolute && bantime > 0:
				until = time.Unix(bantime, 0)
				if !until.After(n.now()) {
					return nil, rpc.NewError(rpc.CodeInvalidParameter, "Error: Absolute timestamp is in the past")
				}
			case bantime > 0:
				until = n.now().Add(time.Duration(bantime) * time.Second)
			case bantime < 0:
				return nil, rpc.NewError(rpc.CodeInvalidParameter, "Error: bantime must not be negative")
			}
			n.s.SetBan(ip, true, until)
			return nil, nil
		},
	}
}

// bannedEntry is one entry of listbanned.
type bannedEntry struct {
	Address       string `json:"address"`
	BanCreated    int64  `json:"ban_created"`
	BannedUntil   int64  `json:"banned_until"`
	BanDuration   int64  `json:"ban_duration"`
	TimeRemaining int64  `json:"time_remaining"`
	Reason        string `json:"ban_reason,omitempty"`
}

// prefixString shows a banned address as Core does: with its full-length
// prefix.
func prefixString(a netip.Addr) string {
	return netip.PrefixFrom(a, a.BitLen()).String()
}

func (n *network) listBanned() rpc.Method {
	return rpc.Method{
		Name:        "listbanned",
		Category:    "network",
		Description: "List all manually banned IPs/Subnets.",
		Result: `[                              (json array)
  {                            (json object)
    "address" : "str",         (string) The IP/Subnet of the banned node
    "ban_created" : xxx,       (numeric) The UNIX epoch time the ban was created
    "banned_until" : xxx,      (numeric) The UNIX epoch time the ban expires
    "ban_duration" : xxx,      (numeric) The ban duration, in seconds
    "time_remaining" : xxx,    (numeric) The time remaining until the ban expires, in seconds
    "ban_reason" : "str"       (string) (nodecoin) why the address was banned
  },
  ...
]`,
		Examples: rpc.ExampleCLI("listbanned", "") + rpc.ExampleRPC("listbanned", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			now := n.now()
			out := []bannedEntry{}
			for _, b := range n.s.ListBanned() {
				out = append(out, bannedEntry{Address: prefixString(b.Addr), BanCreated: b.Created.Unix(),
					BannedUntil: b.Until.Unix(), BanDuration: int64(b.Until.Sub(b.Created).Seconds()),
					TimeRemaining: max(0, int64(b.Until.Sub(now).Seconds())), Reason: b.Reason})
			}
			return out, nil
		},
	}
}

func (n *network) clearBanned() rpc.Method {
	return rpc.Method{
		Name:        "clearbanned",
		Category:    "network",
		Description: "Clear all banned IPs.",
		Result:      "null    (json null)",
		Examples:    rpc.ExampleCLI("clearbanned", "") + rpc.ExampleRPC("clearbanned", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			n.s.ClearBanned()
			return nil, nil
		},
	}
}

func (n *network) ping() rpc.Method {
	return rpc.Method{
		Name:     "ping",
		Category: "network",
		Description: "Requests that a ping be sent to all other nodes, to measure ping time.\n" +
			"Results provided in getpeerinfo, pingtime and pingwait fields are decimal seconds.\n" +
			"Ping command is handled in queue with all other commands, so it measures processing backlog, not just network ping.",
		Result:   "null    (json null)",
		Examples: rpc.ExampleCLI("ping", "") + rpc.ExampleRPC("ping", ""),
		Handler: func(context.Context, rpc.Params) (any, error) {
			n.s.Ping()
			return nil, nil
		},
	}
}
