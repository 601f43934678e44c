package cli

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"
)

func newAuditCmd(e *env) *cobra.Command {
	var app string
	var num int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Show the audit log: who changed what, from where, and how it ended",
		Long: "Show the audit log, newest first. Platform admins see all of it; others see the\n" +
			"entries of the apps they own. --app narrows it to one app; it is not taken from the\n" +
			"git remote, since without it the log covers every app you may see.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.showAudit(cmd.Context(), app, num, asJSON) },
	}
	cmd.Flags().StringVarP(&app, "app", "a", "", "only the entries of this app")
	cmd.Flags().IntVarP(&num, "num", "n", 50, "how many entries, at most 1000")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the entries as JSON")
	return cmd
}

func (e *env) showAudit(ctx context.Context, app string, num int, asJSON bool) error {
	if num < 1 || num > 1000 {
		return usageErrorf("--num %d: give a number from 1 to 1000", num)
	}
	c, err := e.client()
	if err != nil {
		return err
	}
	entries, err := c.Audit(ctx, app, num)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, entries)
	}
	t := newTable(e.stdout, "WHEN", "USER", "ACTION", "APP", "STATUS", "FROM")
	for _, en := range entries {
		t.row(stamp(en.CreatedAt), orDash(en.User), en.Action, orDash(en.App), strconv.Itoa(en.Status), orDash(en.ClientIP))
	}
	return t.flush()
}
