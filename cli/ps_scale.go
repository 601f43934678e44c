package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// maxProcessCount is the platform's bound on the instances of one process
// type (pipeline.MaxProcessCount); the CLI checks it before asking.
const maxProcessCount = 100

func newPsScaleCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "ps:scale TYPE=COUNT...",
		Short: "Set how many instances of each process type run",
		Long: fmt.Sprintf("Set how many instances of each process type run, from 0 (stopped) to %d, such as\n"+
			"web=3 worker=1. This makes and rolls out a new release with that formation.", maxProcessCount),
		Args: someArgs("TYPE=COUNT; usage: paas ps:scale web=2 [worker=1 ...]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			types, counts, err := parseCounts(args)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.scale(cmd.Context(), app, types, counts)
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) scale(ctx context.Context, app string, types []string, counts map[string]int) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, "Scaling dynos... ")
	rel, err := c.Formation().Scale(ctx, app, counts)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	now := make([]string, len(types))
	for i, typ := range types {
		n := counts[typ]
		if p, ok := rel.Spec.Process(typ); ok {
			n = p.Count
		}
		now[i] = fmt.Sprintf("%s at %d", typ, n)
	}
	fmt.Fprintf(e.stdout, "done, now running %s (%s)\n", strings.Join(now, ", "), version(rel.Version))
	return nil
}

// parseCounts parses TYPE=COUNT arguments and returns the types in the
// order given.
func parseCounts(args []string) ([]string, map[string]int, error) {
	var types []string
	counts := map[string]int{}
	for _, arg := range args {
		typ, raw, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, nil, usageErrorf("%q is not TYPE=COUNT, such as web=2", clip(arg))
		}
		if err := checkProcessType(typ); err != nil {
			return nil, nil, err
		}
		n, err := strconv.Atoi(raw)
		if errors.Is(err, strconv.ErrRange) {
			return nil, nil, usageErrorf("%s=%s: a count is between 0 and %d", typ, clip(raw), maxProcessCount)
		}
		if err != nil {
			return nil, nil, usageErrorf("%q: the count %q is not a whole number; use TYPE=COUNT, such as web=2", clip(arg), clip(raw))
		}
		if n < 0 || n > maxProcessCount {
			return nil, nil, usageErrorf("%s=%d: a count is between 0 and %d", typ, n, maxProcessCount)
		}
		if _, dup := counts[typ]; dup {
			return nil, nil, usageErrorf("%s is given twice", typ)
		}
		types = append(types, typ)
		counts[typ] = n
	}
	return types, counts, nil
}

// checkProcessType checks that typ can name a process type: 1-30
// lower-case letters, digits and dashes, starting with a letter and not
// ending with a dash, as app.yml requires.
func checkProcessType(typ string) error {
	switch {
	case typ == "":
		return usageErrorf("a process type is missing; name one such as web or worker")
	case strings.Contains(typ, "."):
		return usageErrorf("%q names one instance; the platform acts on whole process types, such as %s", clip(typ), strings.SplitN(typ, ".", 2)[0])
	case !validProcessType(typ):
		return usageErrorf("%q is not a process type; process types are lower-case letters, digits and dashes, such as web or worker", clip(typ))
	}
	return nil
}

func validProcessType(typ string) bool {
	if len(typ) > maxProcessTypeLen || typ[0] < 'a' || typ[0] > 'z' || strings.HasSuffix(typ, "-") {
		return false
	}
	for _, r := range typ {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// maxProcessTypeLen bounds process type names, which name DNS labels.
const maxProcessTypeLen = 30

func newPsStopCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "ps:stop TYPE",
		Short: "Stop every instance of a process type (scale it to 0)",
		Args:  argNames([]string{"process type; usage: paas ps:stop TYPE"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkProcessType(args[0]); err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.stop(cmd.Context(), app, args[0])
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) stop(ctx context.Context, app, typ string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Stopping %s processes on %s... ", typ, app)
	rel, err := c.Formation().Scale(ctx, app, map[string]int{typ: 0})
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintf(e.stdout, "done, %s\n", version(rel.Version))
	return nil
}
