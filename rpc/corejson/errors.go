package corejson

import "errors"

// ErrInvalidAmount means a value is not a valid amount of coins.
var ErrInvalidAmount = errors.New("invalid amount")
