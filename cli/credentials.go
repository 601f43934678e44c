package cli

import (
	"errors"
	"fmt"
	"path/filepath"
)

// netrcPath returns the path of the user's ~/.netrc.
func (e *env) netrcPath() (string, error) {
	home, err := e.homeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".netrc"), nil
}

// loadNetrc reads and parses ~/.netrc; a missing file is an empty one.
func (e *env) loadNetrc() (*netrc, string, error) {
	path, err := e.netrcPath()
	if err != nil {
		return nil, "", err
	}
	data, err := readFileIfExists(path)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	n, err := parseNetrc(data)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w; fix or remove that entry", path, err)
	}
	return n, path, nil
}

// saveCredentials stores login and token for host in ~/.netrc, replacing
// any entry for host and keeping every other entry intact.
func (e *env) saveCredentials(host, login, token string) error {
	n, path, err := e.loadNetrc()
	if err != nil {
		return err
	}
	if err := writeFilePrivate(path, n.set(host, login, token)); err != nil {
		return fmt.Errorf("save credentials: %w", err)
	}
	return nil
}

// removeCredentials deletes the entries for host from ~/.netrc and reports
// whether there were any.
func (e *env) removeCredentials(host string) (bool, error) {
	n, path, err := e.loadNetrc()
	if err != nil {
		return false, err
	}
	if n.find(host) == nil {
		return false, nil
	}
	if err := writeFilePrivate(path, n.remove(host)); err != nil {
		return false, fmt.Errorf("remove credentials: %w", err)
	}
	return true, nil
}

// token returns the token to call the API on host with: $PAAS_TOKEN, else
// the password of host's entry in ~/.netrc.
func (e *env) token(host string) (string, error) {
	if t := e.getenv("PAAS_TOKEN"); t != "" {
		return t, nil
	}
	n, _, err := e.loadNetrc()
	if err != nil {
		return "", err
	}
	if entry := n.find(host); entry != nil && entry.Password != "" {
		return entry.Password, nil
	}
	return "", errors.New(msgNotLoggedIn)
}
