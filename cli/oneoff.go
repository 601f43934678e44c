package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newRunCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "run [-a APP] -- COMMAND [ARGS...]",
		Short: "Run a one-off process with the app's current release and print its output",
		Long: "Run a command once with the image and config vars of the app's current release. Its\n" +
			"output is printed as it comes, and paas exits with the command's exit code. Everything\n" +
			"after -- (or after the first argument that is not a flag) is the command; Ctrl-C stops\n" +
			"it. The process gets no input: run is not interactive.",
		Example:               "  paas run -a hello -- ls -l\n  paas run -- python manage.py migrate",
		DisableFlagsInUseLine: true,
		Args:                  someArgs("command; usage: paas run -a APP -- COMMAND [ARGS...]"),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.runOneOff(cmd.Context(), app, args)
		},
	}
	f.register(cmd)
	// Flags after the command belong to it: paas run ls -l.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// runOneOff streams the output of command to stdout and ends the CLI with
// its exit code.
func (e *env) runOneOff(ctx context.Context, app string, command []string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "Running %s on %s...\n", shellJoin(command), app)
	code, err := c.Runs().Create(ctx, app, command, e.stdout)
	switch {
	case err != nil:
		return err
	case code == 0:
		return nil
	case code < 0 || code > 255:
		// -1: the platform could not run it and said why in the output.
		return &exitError{code: ExitError}
	}
	return &exitError{code: code}
}
