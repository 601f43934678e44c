package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gitpaas/paas"
	"github.com/spf13/cobra"
)

// webProcess is the process type that receives traffic; listings show it
// first.
const webProcess = "web"

// stateRunning is the state of an instance that runs; only such an
// instance is healthy or not.
const stateRunning = "running"

func newPsCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "List the processes of an app, grouped by type",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.listProcesses(cmd.Context(), app, asJSON)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the processes as JSON")
	return cmd
}

func (e *env) listProcesses(ctx context.Context, app string, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	ps, err := c.Processes().List(ctx, app)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, ps)
	}
	formation, err := c.Formation().List(ctx, app)
	if err != nil {
		return err
	}
	printProcesses(e.stdout, e.now(), app, ps, formation)
	return nil
}

// printProcesses writes the instances grouped by type, web first, in the
// API's order within a type, then the formation they should match.
func printProcesses(w io.Writer, now time.Time, app string, ps []paas.ProcessState, formation []paas.Process) {
	switch {
	case len(ps) == 0 && len(formation) == 0:
		fmt.Fprintf(w, "%s has no processes; deploy with: git push %s main\n", app, defaultRemote)
		return
	case len(ps) == 0:
		fmt.Fprintf(w, "No processes are running on %s.\n", app)
	}
	for i, group := range groupByType(ps) {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "=== %s (%d)\n", group[0].Type, len(group))
		for _, p := range group {
			fmt.Fprintln(w, processLine(now, p))
		}
	}
	if len(formation) > 0 {
		fmt.Fprintf(w, "\nFormation: %s\n", formationCounts(formation))
	}
}

// groupByType splits instances by type, web first and the rest by name.
func groupByType(ps []paas.ProcessState) [][]paas.ProcessState {
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b paas.ProcessState) int { return compareTypes(a.Type, b.Type) })
	var groups [][]paas.ProcessState
	for _, p := range sorted {
		if n := len(groups); n > 0 && groups[n-1][0].Type == p.Type {
			groups[n-1] = append(groups[n-1], p)
			continue
		}
		groups = append(groups, []paas.ProcessState{p})
	}
	return groups
}

func compareTypes(a, b string) int {
	return cmp.Or(-cmp.Compare(boolInt(a == webProcess), boolInt(b == webProcess)), strings.Compare(a, b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// processLine is one instance as Heroku shows a dyno:
// "web.1: running 2m ago (v5) healthy".
func processLine(now time.Time, p paas.ProcessState) string {
	line := fmt.Sprintf("%s: %s %s (%s)", p.Name, orDash(p.State), ago(now, p.Since), version(p.Release))
	if p.State == stateRunning {
		line += " " + healthWord(p.Healthy)
	}
	return line
}

func healthWord(healthy bool) string {
	if healthy {
		return "healthy"
	}
	return "unhealthy"
}

// formationCounts shows a formation as ps:scale takes it: "web=2 worker=0".
func formationCounts(formation []paas.Process) string {
	sorted := slices.Clone(formation)
	slices.SortStableFunc(sorted, func(a, b paas.Process) int { return compareTypes(a.Type, b.Type) })
	parts := make([]string, len(sorted))
	for i, p := range sorted {
		parts[i] = fmt.Sprintf("%s=%d", p.Type, p.Count)
	}
	return strings.Join(parts, " ")
}

func newPsRestartCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "ps:restart [TYPE]",
		Short: "Restart the processes of one type, or all, one instance at a time",
		Args:  argNames(nil, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			typ := ""
			if len(args) == 1 {
				typ = args[0]
				if err := checkProcessType(typ); err != nil {
					return err
				}
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.restart(cmd.Context(), app, typ)
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) restart(ctx context.Context, app, typ string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Restarting %s processes on %s... ", cmp.Or(typ, "all"), app)
	if err := c.Processes().Restart(ctx, app, typ); err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	return nil
}
