package cli

import (
	"log/slog"
	"net/url"
	"strings"

	"github.com/gitpaas/paas/internal/apiclient"
)

// newClient returns a client of the API at addr that sends token. With
// --verbose it logs each request to stderr; the client never logs the
// token.
func (e *env) newClient(addr *url.URL, token string) (*apiclient.Client, error) {
	cfg := apiclient.Config{Address: addr.String(), Token: token, UserAgent: userAgent()}
	if e.verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return apiclient.New(cfg)
}

// client returns a client of the configured API with the user's
// credentials, or an error telling them to log in.
func (e *env) client() (*apiclient.Client, error) {
	addr, err := e.apiAddress("")
	if err != nil {
		return nil, err
	}
	token, err := e.token(netrcHost(addr))
	if err != nil {
		return nil, err
	}
	return e.newClient(addr, token)
}

// apiAddress resolves and parses the API URL; see apiURL.
func (e *env) apiAddress(flag string) (*url.URL, error) {
	raw, err := e.apiURL(flag)
	if err != nil {
		return nil, err
	}
	return apiclient.ParseAddress(raw)
}

// netrcHost is the machine name of the API in ~/.netrc: its host without
// the port, as curl, and so git, looks it up.
func netrcHost(u *url.URL) string { return strings.ToLower(u.Hostname()) }
