package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

func newWebhooksCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "webhooks",
		Short: "List the webhooks of an app",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			hooks, err := c.Webhooks().List(cmd.Context(), app)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, hooks)
			}
			if len(hooks) == 0 {
				fmt.Fprintf(e.stdout, "%s has no webhooks; add one with: paas webhooks:add URL -a %s\n", app, app)
				return nil
			}
			t := newTable(e.stdout, "ID", "URL", "EVENTS", "BY", "CREATED")
			for _, h := range hooks {
				t.row(h.ID, h.URL, strings.Join(h.Events, ","), h.CreatedBy, ago(e.now(), h.CreatedAt))
			}
			return t.flush()
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the webhooks as JSON")
	return cmd
}

func newWebhooksAddCmd(e *env) *cobra.Command {
	var f appFlags
	var events []string
	cmd := &cobra.Command{
		Use:     "webhooks:add URL",
		Short:   "Tell URL about the app's build and release events, signed with HMAC-SHA256",
		Example: "  paas webhooks:add https://ci.example.com/hooks/paas --events release.succeeded,release.failed",
		Args:    argNames([]string{"URL; usage: paas webhooks:add URL"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, c, err := f.resolveWithClient(cmd.Context(), e)
			if err != nil {
				return err
			}
			h, err := c.Webhooks().Create(cmd.Context(), app, args[0], events)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Added webhook %d for %s on %s\n", h.ID, strings.Join(h.Events, ", "), app)
			fmt.Fprintf(e.stdout, "Signing secret (shown once; verify the %s header with it):\n%s\n", "Paas-Signature", h.Secret)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringSliceVar(&events, "events", nil, "events to send (default all): build.succeeded, build.failed, release.succeeded, release.failed, release.rolled_back")
	return cmd
}

func newWebhooksRemoveCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "webhooks:remove ID",
		Short: "Remove a webhook",
		Args:  argNames([]string{"webhook ID; usage: paas webhooks:remove ID"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, app, id, err := e.webhookTarget(cmd, &f, args[0])
			if err != nil {
				return err
			}
			if err := c.Webhooks().Delete(cmd.Context(), app, id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Removed webhook %d from %s\n", id, app)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newWebhooksDeliveriesCmd(e *env) *cobra.Command {
	var f appFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "webhooks:deliveries ID",
		Short: "Show a webhook's newest deliveries and their outcome",
		Args:  argNames([]string{"webhook ID; usage: paas webhooks:deliveries ID"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, app, id, err := e.webhookTarget(cmd, &f, args[0])
			if err != nil {
				return err
			}
			ds, err := c.Webhooks().Deliveries(cmd.Context(), app, id)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, ds)
			}
			t := newTable(e.stdout, "ID", "EVENT", "STATUS", "ATTEMPTS", "CODE", "ERROR", "CREATED")
			for _, d := range ds {
				t.row(d.ID, d.Event, d.Status, d.Attempts, d.ResponseCode, orDash(d.LastError), ago(e.now(), d.CreatedAt))
			}
			return t.flush()
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the deliveries as JSON")
	return cmd
}

// webhookTarget reads a webhook ID argument and resolves the app and the
// client that the commands on one webhook need.
func (e *env) webhookTarget(cmd *cobra.Command, f *appFlags, arg string) (*apiclient.Client, string, int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id < 1 {
		return nil, "", 0, usageErrorf("webhook ID %q is not a number; list them with: paas webhooks", clip(arg))
	}
	app, c, err := f.resolveWithClient(cmd.Context(), e)
	if err != nil {
		return nil, "", 0, err
	}
	return c, app, id, nil
}
