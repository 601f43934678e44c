package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

// appCommand is a command on one app (-a) that takes no arguments.
func appCommand(e *env, use, short string, run func(ctx context.Context, c *apiclient.Client, app string) error) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			return run(cmd.Context(), c, app)
		},
	}
	f.register(cmd)
	return cmd
}

func newMaintenanceCmd(e *env) *cobra.Command {
	return appCommand(e, "maintenance", "Show whether the app is in maintenance mode",
		func(ctx context.Context, c *apiclient.Client, app string) error {
			on, err := c.Traffic().Maintenance(ctx, app)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s maintenance mode is %s\n", app, onOff(on))
			return nil
		})
}

func newMaintenanceSetCmd(e *env, on bool) *cobra.Command {
	short := "Answer every request with a maintenance page (503); instances keep running"
	if !on {
		short = "Serve the app again after maintenance"
	}
	return appCommand(e, "maintenance:"+onOff(on), short,
		func(ctx context.Context, c *apiclient.Client, app string) error {
			if err := c.Traffic().SetMaintenance(ctx, app, on); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Maintenance mode of %s is %s\n", app, onOff(on))
			return nil
		})
}

func newCanaryCmd(e *env) *cobra.Command {
	return appCommand(e, "canary", "Show the canary in progress: its share of clients and each analysis",
		func(ctx context.Context, c *apiclient.Client, app string) error {
			st, err := c.Traffic().Canary(ctx, app)
			if err != nil {
				return err
			}
			steps := make([]string, len(st.Steps))
			for i, s := range st.Steps {
				steps[i] = fmt.Sprintf("%d%%", s)
				if i == st.Step {
					steps[i] = "[" + steps[i] + "]"
				}
			}
			fmt.Fprintf(e.stdout, "=== %s canary: v%d takes %d%% of clients, v%d the rest\n", app, st.Canary, st.Weight, st.Stable)
			fmt.Fprintf(e.stdout, "Steps:     %s\n", strings.Join(steps, " → "))
			fmt.Fprintf(e.stdout, "Started:   %s\n", st.StartedAt.Local().Format(time.DateTime))
			fmt.Fprintf(e.stdout, "Next step: %s (in %s)\n", st.NextAt.Local().Format(time.DateTime), max(0, time.Until(st.NextAt)).Round(time.Second))
			for _, a := range st.Analysis {
				fmt.Fprintf(e.stdout, "  %s\n", a)
			}
			return nil
		})
}

func newCanaryPromoteCmd(e *env) *cobra.Command {
	return appCommand(e, "canary:promote", "Give the canary all the traffic now and make it the current release",
		func(ctx context.Context, c *apiclient.Client, app string) error {
			if err := c.Traffic().PromoteCanary(ctx, app); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Promoted the canary of %s: it takes all the traffic\n", app)
			return nil
		})
}

func newCanaryAbortCmd(e *env) *cobra.Command {
	return appCommand(e, "canary:abort", "Send all traffic back to the stable release and fail the canary",
		func(ctx context.Context, c *apiclient.Client, app string) error {
			if err := c.Traffic().AbortCanary(ctx, app); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Aborted the canary of %s: the stable release takes all the traffic\n", app)
			return nil
		})
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
