package rpc

import (
	"context"
	"time"
)

// StopMessage is the result of `stop` (Core's "Bitcoin Core stopping").
const StopMessage = "nodecoin stopping"

// ControlMethods returns the methods of the "control" category that need
// no chain: `uptime` (whole seconds since started) and `stop`, which calls
// shutdown (the node's clean shutdown, as SIGTERM) and answers at once.
func ControlMethods(started time.Time, shutdown func()) []Method {
	return []Method{
		{
			Name:        "uptime",
			Category:    "control",
			Description: "Returns the total uptime of the server.",
			Result:      "n    (numeric) The number of seconds that the server has been running",
			Examples:    ExampleCLI("uptime", "") + ExampleRPC("uptime", ""),
			Handler: func(context.Context, Params) (any, error) {
				return int64(time.Since(started) / time.Second), nil
			},
		},
		{
			Name:        "stop",
			Category:    "control",
			Description: "Request a graceful shutdown of nodecoin.",
			Result:      `"str"    (string) A string with the content '` + StopMessage + `'`,
			Examples:    ExampleCLI("stop", "") + ExampleRPC("stop", ""),
			Handler: func(context.Context, Params) (any, error) {
				shutdown()
				return StopMessage, nil
			},
		},
	}
}
