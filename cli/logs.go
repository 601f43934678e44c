package cli

import (
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newLogsCmd(e *env) *cobra.Command {
	var f appFlags
	var o apiclient.LogOptions
	cmd := &cobra.Command{
		Use:   "logs [-a APP] [--tail] [--process TYPE] [--num N]",
		Short: "Show the app's log: its processes' output and the platform's events",
		Long: "Show recent lines of the app's log, each prefixed with its source as on Heroku:\n" +
			"app[web.1] for a process instance, app[paas] for the platform (builds, releases, drift\n" +
			"repairs). With --tail, keep printing new lines until Ctrl-C.",
		Example: "  paas logs -a hello --tail\n  paas logs -p worker -n 20",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Num < 0 || o.Num > 1500 {
				return usageErrorf("--num must be from 0 to 1500")
			}
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			return c.Logs(cmd.Context(), app, o, e.stdout)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVarP(&o.Tail, "tail", "t", false, "keep streaming new lines")
	cmd.Flags().StringVarP(&o.Process, "process", "p", "", "only this process type, e.g. web")
	cmd.Flags().IntVarP(&o.Num, "num", "n", 100, "how many recent lines of each stream")
	return cmd
}
