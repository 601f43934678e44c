package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newAddonsCreateCmd(e *env) *cobra.Command {
	var f appFlags
	var req apiclient.CreateAddon
	cmd := &cobra.Command{
		Use:   "addons:create TYPE",
		Short: "Provision an add-on (postgres, redis) and attach it to an app",
		Long: "Provision an add-on for an app and attach it: postgres sets DATABASE_URL, redis sets\n" +
			"REDIS_URL (--as NAME sets NAME_URL instead). Setting the var makes and rolls out a release,\n" +
			"as config:set does; the command returns when the add-on is healthy and the release is out.",
		Args: argNames([]string{"add-on type; usage: paas addons:create postgres"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Type = args[0]
			if err := checkAs(req.As); err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.createAddon(cmd.Context(), app, req)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&req.Plan, "plan", "", "size of the add-on (default dev)")
	cmd.Flags().StringVar(&req.Name, "name", "", "name of the add-on (default APP-TYPE)")
	cmd.Flags().StringVar(&req.As, "as", "", "attach as NAME, which sets NAME_URL (default DATABASE or REDIS)")
	return cmd
}

func (e *env) createAddon(ctx context.Context, app string, req apiclient.CreateAddon) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Creating %s add-on for %s... ", req.Type, app)
	ch, err := c.Addons().Create(ctx, app, req)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintf(e.stdout, "done, %s (%s)\n", ch.Addon.Name, ch.Addon.Plan)
	printAttached(e.stdout, ch, app)
	return nil
}

// printAttached says which config var the change set, and in which
// release.
func printAttached(w io.Writer, ch *apiclient.AddonChange, app string) {
	for _, t := range ch.Addon.Attachments {
		if t.App != app {
			continue
		}
		if ch.Release == nil {
			fmt.Fprintf(w, "Attached as %s; the app has no release yet, so it applies to the first deploy\n", t.ConfigVar)
			continue
		}
		fmt.Fprintf(w, "Attached as %s (%s)\n", t.ConfigVar, version(ch.Release.Version))
	}
}

// checkAs checks the --as flag before the API is called.
func checkAs(as string) error {
	if as == "" {
		return nil
	}
	if strings.HasSuffix(as, "_URL") {
		return usageErrorf("--as takes the name without _URL, e.g. --as %s", strings.TrimSuffix(as, "_URL"))
	}
	if err := paas.ValidateAttachmentName(as); err != nil {
		return &usageError{err}
	}
	return nil
}
