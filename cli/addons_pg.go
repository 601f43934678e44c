package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitpaas/paas"
	"github.com/gitpaas/paas/internal/apiclient"
	"github.com/spf13/cobra"
)

// pgFlags say which Postgres add-on a pg: command acts on: --addon, else
// the app's own (the one attached as DATABASE_URL when it has several).
type pgFlags struct {
	appFlags
	addon string
}

func (f *pgFlags) register(cmd *cobra.Command) {
	f.appFlags.register(cmd)
	cmd.Flags().StringVar(&f.addon, "addon", "", "Postgres add-on to act on (default: the app's DATABASE_URL one)")
}

// resolve returns the app and its Postgres add-on.
func (f *pgFlags) resolve(ctx context.Context, e *env, c *apiclient.Client) (string, string, error) {
	app, err := f.appFlags.resolve(ctx, e)
	if err != nil || f.addon != "" {
		return app, f.addon, err
	}
	list, err := c.Addons().List(ctx, app)
	if err != nil {
		return "", "", err
	}
	var names []string
	for _, a := range list {
		if a.Type != "postgres" {
			continue
		}
		for _, t := range a.Attachments {
			if t.App == app && t.ConfigVar == "DATABASE_URL" {
				return app, a.Name, nil
			}
		}
		names = append(names, a.Name)
	}
	switch len(names) {
	case 0:
		return "", "", fmt.Errorf("%s has no Postgres add-on; create one with: paas addons:create postgres -a %s", app, app)
	case 1:
		return app, names[0], nil
	}
	return "", "", fmt.Errorf("%s has several Postgres add-ons (%s); pick one with --addon NAME", app, strings.Join(names, ", "))
}

func newPgBackupsCmd(e *env) *cobra.Command {
	var f pgFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "pg:backups",
		Short: "List the backups of a Postgres add-on",
		Long: "List the backups of an app's Postgres add-on, newest first: scheduled ones (daily, the\n" +
			"newest 7 kept) and captured ones (kept until deleted), with their SHA-256 checksums.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.listBackups(cmd.Context(), &f, asJSON) },
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the backups as JSON")
	return cmd
}

func (e *env) listBackups(ctx context.Context, f *pgFlags, asJSON bool) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	app, addon, err := f.resolve(ctx, e, c)
	if err != nil {
		return err
	}
	list, err := c.Addons().Backups(ctx, app, addon)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, list)
	}
	fmt.Fprintf(e.stdout, "=== Backups of %s\n", addon)
	if len(list) == 0 {
		fmt.Fprintf(e.stdout, "No backups. Capture one with: paas pg:backups:capture -a %s\n", app)
		return nil
	}
	t := newTable(e.stdout, "ID", "CREATED", "SIZE", "SHA-256", "BY")
	for _, b := range list {
		t.row(paas.BackupLabel(b.ID), stamp(b.CreatedAt), byteSize(b.Size), b.SHA256[:min(16, len(b.SHA256))], b.CreatedBy)
	}
	return t.flush()
}

func newPgBackupsCaptureCmd(e *env) *cobra.Command {
	var f pgFlags
	cmd := &cobra.Command{
		Use:   "pg:backups:capture",
		Short: "Capture a backup of a Postgres add-on now",
		Long: "Dump an app's Postgres add-on (pg_dump's custom format) into the platform's backups,\n" +
			"with a SHA-256 checksum. Captured backups are kept until deleted.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.captureBackup(cmd.Context(), &f) },
	}
	f.register(cmd)
	return cmd
}

func (e *env) captureBackup(ctx context.Context, f *pgFlags) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	app, addon, err := f.resolve(ctx, e, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Capturing a backup of %s... ", addon)
	b, err := c.Addons().Capture(ctx, app, addon)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintf(e.stdout, "done, %s (%s, sha256 %s)\n", paas.BackupLabel(b.ID), byteSize(b.Size), b.SHA256[:min(16, len(b.SHA256))])
	return nil
}

func newPgBackupsRestoreCmd(e *env) *cobra.Command {
	var f pgFlags
	var confirm string
	cmd := &cobra.Command{
		Use:   "pg:backups:restore ID",
		Short: "Replace the data of a Postgres add-on with a backup",
		Long: "Restore a backup (b007 or 7) into an app's Postgres add-on: the objects of the dump\n" +
			"replace the database's, in one transaction, after the file's checksum is verified; a\n" +
			"failure changes nothing. A backup of another add-on needs --confirm with the name of\n" +
			"the add-on whose data it replaces.",
		Args: argNames([]string{"backup ID; usage: paas pg:backups:restore b001"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := paas.ParseBackupID(args[0])
			if err != nil {
				return &usageError{err}
			}
			return e.restoreBackup(cmd.Context(), &f, id, confirm)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&confirm, "confirm", "", "name of the add-on to restore into, for a backup of another add-on")
	return cmd
}

func (e *env) restoreBackup(ctx context.Context, f *pgFlags, id int64, confirm string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	app, addon, err := f.resolve(ctx, e, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Restoring %s into %s... ", paas.BackupLabel(id), addon)
	if err := c.Addons().Restore(ctx, app, addon, id, confirm); err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	return nil
}

func newPgBackupsDeleteCmd(e *env) *cobra.Command {
	var f pgFlags
	cmd := &cobra.Command{
		Use:   "pg:backups:delete ID",
		Short: "Delete a backup of a Postgres add-on",
		Args:  argNames([]string{"backup ID; usage: paas pg:backups:delete b001"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := paas.ParseBackupID(args[0])
			if err != nil {
				return &usageError{err}
			}
			return e.deleteBackup(cmd.Context(), &f, id)
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) deleteBackup(ctx context.Context, f *pgFlags, id int64) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	app, addon, err := f.resolve(ctx, e, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Deleting %s of %s... ", paas.BackupLabel(id), addon)
	if err := c.Addons().DeleteBackup(ctx, app, addon, id); err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	return nil
}

// byteSize says 1.2 MB.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
