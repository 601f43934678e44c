package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gitpaas/paas/internal/apiclient"
)

// config is what the CLI remembers between runs, in
// $XDG_CONFIG_HOME/paas/config.json. Credentials live in ~/.netrc instead,
// where git finds them too.
type config struct {
	APIURL string `json:"api_url,omitempty"`
}

// configPath returns $XDG_CONFIG_HOME/paas/config.json, falling back to
// ~/.config as the XDG spec says.
func (e *env) configPath() (string, error) {
	dir := e.getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := e.homeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "paas", "config.json"), nil
}

// loadConfig reads the config; a missing file is an empty config.
func (e *env) loadConfig() (config, error) {
	var c config
	path, err := e.configPath()
	if err != nil {
		return c, err
	}
	data, err := readFileIfExists(path)
	if err != nil || data == nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, fmt.Errorf("read %s: %w; fix or delete it", path, err)
	}
	return c, nil
}

// saveConfig writes the config, readable only by the user.
func (e *env) saveConfig(c config) error {
	path, err := e.configPath()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFilePrivate(path, append(data, '\n')); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	return nil
}

// apiURL returns the API address: flag, else $PAAS_API_URL, else the saved
// config, else apiclient.DefaultAddress.
func (e *env) apiURL(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if u := e.getenv("PAAS_API_URL"); u != "" {
		return u, nil
	}
	c, err := e.loadConfig()
	if err != nil {
		return "", err
	}
	if c.APIURL != "" {
		return c.APIURL, nil
	}
	return apiclient.DefaultAddress, nil
}
