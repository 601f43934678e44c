package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

// Config var values may be secrets. These commands print them only when
// asked to show them (config, config:get); never in what config:set and
// config:unset print, nor in any error.

func newConfigCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON, shell bool
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the config vars of an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && shell {
				return usageErrorf("--json and --shell cannot be used together")
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.showConfig(cmd.Context(), app, asJSON, shell)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the config vars as a JSON object")
	cmd.Flags().BoolVarP(&shell, "shell", "s", false, "print KEY=value lines, quoted for a POSIX shell")
	return cmd
}

func (e *env) showConfig(ctx context.Context, app string, asJSON, shell bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	cfg, err := c.Config().Get(ctx, app)
	if err != nil {
		return err
	}
	switch {
	case asJSON:
		return printJSON(e.stdout, cfg)
	case shell:
		for _, k := range slices.Sorted(maps.Keys(cfg)) {
			fmt.Fprintf(e.stdout, "%s=%s\n", k, shellQuote(cfg[k]))
		}
		return nil
	case len(cfg) == 0:
		fmt.Fprintf(e.stdout, "%s has no config vars. Set one with: paas config:set KEY=value -a %s\n", app, app)
		return nil
	}
	printConfig(e.stdout, app, cfg)
	return nil
}

// printConfig writes the vars as Heroku does: "KEY: value", the values
// aligned. It pads by hand, since a tabwriter would misalign values that
// hold tabs.
func printConfig(w io.Writer, app string, cfg map[string]string) {
	fmt.Fprintf(w, "=== %s Config Vars\n", app)
	keys := slices.Sorted(maps.Keys(cfg))
	width := 0
	for _, k := range keys {
		width = max(width, len(k)+1)
	}
	for _, k := range keys {
		if cfg[k] == "" {
			fmt.Fprintf(w, "%s:\n", k)
			continue
		}
		fmt.Fprintf(w, "%-*s %s\n", width, k+":", cfg[k])
	}
}

func newConfigGetCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "config:get KEY",
		Short: "Print the value of one config var",
		Args:  argNames([]string{"config var name; usage: paas config:get KEY"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkConfigName(1, args[0]); err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.getConfig(cmd.Context(), app, args[0])
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) getConfig(ctx context.Context, app, key string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	cfg, err := c.Config().Get(ctx, app)
	if err != nil {
		return err
	}
	value, ok := cfg[key]
	if !ok {
		return fmt.Errorf("config var %s is not set on %s; list them with: paas config -a %s", key, app, app)
	}
	fmt.Fprintln(e.stdout, value)
	return nil
}

func newConfigSetCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "config:set KEY=value...",
		Short: "Set config vars and restart the app with them",
		Long: "Set one or more config vars. When the app has a release, a new release with the vars\n" +
			"is made and rolled out; before the first deploy, the vars apply to the first release.\n" +
			"A value may contain '=' and may be empty (KEY=). The values are never printed.",
		Args: someArgs("KEY=value; usage: paas config:set KEY=value [KEY2=value2 ...]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, changes, err := parseConfigSets(args)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.updateConfig(cmd.Context(), app, "Setting", keys, changes)
		},
	}
	f.register(cmd)
	return cmd
}

func newConfigUnsetCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "config:unset KEY...",
		Short: "Unset config vars and restart the app without them",
		Args:  someArgs("config var name; usage: paas config:unset KEY [KEY2 ...]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			changes := map[string]*string{}
			for i, k := range args {
				if err := checkConfigName(i+1, k); err != nil {
					return err
				}
				changes[k] = nil
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.updateConfig(cmd.Context(), app, "Unsetting", uniq(args), changes)
		},
	}
	f.register(cmd)
	return cmd
}

// updateConfig sends config changes and says what they did, naming the
// keys only.
func (e *env) updateConfig(ctx context.Context, app, verb string, keys []string, changes map[string]*string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s and restarting %s... ", verb, strings.Join(keys, ", "), app)
	change, err := c.Config().Update(ctx, app, changes)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	printConfigChange(e.stdout, change)
	return nil
}

func printConfigChange(w io.Writer, change *apiclient.ConfigChange) {
	if change.Release == nil {
		fmt.Fprintln(w, "done")
		fmt.Fprintln(w, "Note: the app has no release yet; the config applies to the first deploy")
		return
	}
	fmt.Fprintf(w, "done, %s\n", version(change.Release.Version))
}

// parseConfigSets parses KEY=value arguments. It returns the keys in the
// order given. Its errors never show a value, and an argument without "="
// may be a value typed after a space, so they never show the argument.
func parseConfigSets(args []string) ([]string, map[string]*string, error) {
	var keys []string
	changes := map[string]*string{}
	for i, arg := range args {
		key, value, ok := strings.Cut(arg, "=")
		switch {
		case !ok:
			return nil, nil, usageErrorf(`argument %d is not KEY=value (it has no "="); e.g. paas config:set GREETING=hello`, i+1)
		case key == "":
			return nil, nil, usageErrorf(`argument %d has no name before "="; use KEY=value`, i+1)
		}
		if err := paas.ValidateConfigKey(key); err != nil {
			return nil, nil, &usageError{err}
		}
		if err := paas.ValidateConfigValue(key, value); err != nil {
			return nil, nil, &usageError{err}
		}
		if _, dup := changes[key]; dup {
			return nil, nil, usageErrorf("%s is given twice", key)
		}
		keys = append(keys, key)
		changes[key] = &value
	}
	return keys, changes, nil
}

// checkConfigName checks argument n, which must be a config var name. A
// name with "=" is likely KEY=value, so the error does not show it.
func checkConfigName(n int, name string) error {
	if strings.Contains(name, "=") {
		return usageErrorf(`argument %d contains "="; give config var names only, such as GREETING`, n)
	}
	if err := paas.ValidateConfigKey(name); err != nil {
		return &usageError{err}
	}
	return nil
}

// uniq returns names without repeats, in their first order.
func uniq(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
