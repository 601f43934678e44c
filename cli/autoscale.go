package cli

import (
	"fmt"
	"time"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newAutoscaleCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "autoscale",
		Short: "Show the autoscaling policies, current counts and the autoscaler's latest reasoning",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			list, err := c.Autoscale().List(cmd.Context(), app)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintf(e.stdout, "%s does not autoscale. Turn it on with: paas autoscale:enable web --min 1 --max 10 --target-inflight 20\n", app)
				return nil
			}
			t := newTable(e.stdout, "TYPE", "COUNT", "POLICY", "FROM", "REASONING")
			for _, s := range list {
				reason := s.Reasoning
				if reason == "" {
					reason = "-"
				}
				t.row(s.Process, s.Count, s.Describe(), s.Source, reason)
			}
			return t.flush()
		},
	}
	f.register(cmd)
	return cmd
}

func newAutoscaleEnableCmd(e *env) *cobra.Command {
	var f appFlags
	var req apiclient.AutoscaleRequest
	var min int
	var p95, idle time.Duration
	cmd := &cobra.Command{
		Use:   "autoscale:enable TYPE",
		Short: "Scale a process type on the router's traffic, within --min and --max",
		Long: "Scale a process type on its traffic as the router sees it: requests in flight, request rate or\n" +
			"p95 latency per instance. --min 0 lets web scale to zero after --idle without requests; the\n" +
			"router then holds the next request while one instance starts. Overrides app.yml's policy.",
		Example: "  paas autoscale:enable web --min 1 --max 10 --target-inflight 20\n" +
			"  paas autoscale:enable web --min 0 --max 3 --target-p95 200ms --idle 10m",
		Args: argNames([]string{"TYPE (usage: paas autoscale:enable web --min 1 --max 10 --target-inflight 20)"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			req.Min = &min
			if p95 != 0 {
				req.TargetP95 = p95.String()
			}
			if idle != 0 {
				req.Idle = idle.String()
			}
			c, err := e.client()
			if err != nil {
				return err
			}
			pol, err := c.Autoscale().Enable(cmd.Context(), app, args[0], req)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Autoscaling %s of %s: %s\n", pol.Process, app, pol.Describe())
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().IntVar(&min, "min", 1, "fewest instances; 0 lets web scale to zero")
	cmd.Flags().IntVar(&req.Max, "max", 0, "most instances (required)")
	cmd.Flags().IntVar(&req.TargetInflight, "target-inflight", 0, "requests in flight per instance")
	cmd.Flags().IntVar(&req.TargetRPS, "target-rps", 0, "requests per second per instance")
	cmd.Flags().DurationVar(&p95, "target-p95", 0, "p95 latency to keep under, e.g. 200ms")
	cmd.Flags().DurationVar(&idle, "idle", 0, "with --min 0: time without requests before scaling to zero (default 5m)")
	return cmd
}

func newAutoscaleDisableCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "autoscale:disable TYPE",
		Short: "Stop autoscaling a process type, whatever app.yml says; its count stays where it is",
		Args:  argNames([]string{"TYPE (usage: paas autoscale:disable web)"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			if err := c.Autoscale().Disable(cmd.Context(), app, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Autoscaling of %s on %s is off\n", args[0], app)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newEventsCmd(e *env) *cobra.Command {
	var f appFlags
	var kind string
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Show what happened to the app outside pushes: autoscaling and drift repairs",
		Long: "Show what happened to the app outside pushes, newest first: every count the autoscaler set,\n" +
			"with the signal, value and target behind it, and every drift repair. The autoscaler makes no\n" +
			"release, so paas releases does not list its changes; they are here.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			list, err := c.Autoscale().Events(cmd.Context(), app, kind)
			if err != nil {
				return err
			}
			t := newTable(e.stdout, "WHEN", "KIND", "BY", "WHAT")
			for _, ev := range list {
				t.row(ev.CreatedAt.Local().Format(time.DateTime), ev.Kind, ev.CreatedBy, ev.Message)
			}
			return t.flush()
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&kind, "kind", "", "only events of this kind: scale or drift")
	return cmd
}
