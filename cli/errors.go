package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

// Messages shared by several commands.
const (
	msgNotLoggedIn   = "not logged in; run: paas login"
	msgTokenRejected = "your token was rejected; run: paas login"
)

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitError ends the CLI with a given exit code and no message, such as
// the exit code of a `paas run` whose process failed: the process has
// said what went wrong.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit code %d", e.code) }

// usageErrorf returns a usage error with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// usageArgs makes an argument validator report usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return &usageError{err}
		}
		return nil
	}
}

// errorMessage is what the user reads for err: the server's message for an
// API error, with a rejected token and an unreachable server explained.
func errorMessage(err error) string {
	var te *apiclient.TransportError
	switch {
	case paas.ErrorCode(err) == paas.EUNAUTHORIZED:
		// The server says why (expired, revoked…) when it knows.
		if msg := paas.ErrorMessage(err); strings.Contains(msg, "expired") || strings.Contains(msg, "revoked") {
			return "your token was rejected: " + msg
		}
		return msgTokenRejected
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.As(err, &te):
		return err.Error() + "\nis paasd running there? set the address with: paas login --api URL (or PAAS_API_URL)"
	default:
		return err.Error()
	}
}
