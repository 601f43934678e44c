package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newReleasesRollbackCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "releases:rollback [VERSION]",
		Short: "Roll back to an earlier release (v3 or 3); the previous one that ran by default",
		Long: "Roll back by making a new release with the image, config vars and formation of an earlier\n" +
			"release, v3 or 3, and rolling it out. Without a version, the target is the last release\n" +
			"before the current one that ran. The release command does not run on a rollback.",
		Args: argNames(nil, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := versionArg(args)
			if err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.rollback(cmd.Context(), app, v)
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) rollback(ctx context.Context, app string, v int) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	if v == 0 {
		fmt.Fprintf(e.stdout, "Rolling back %s... ", app)
	} else {
		fmt.Fprintf(e.stdout, "Rolling back %s to %s... ", app, version(v))
	}
	rel, err := c.Releases().Rollback(ctx, app, v)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	if v == 0 && rel.Description != "" {
		fmt.Fprintf(e.stdout, "done, %s (%s)\n", version(rel.Version), rel.Description)
		return nil
	}
	fmt.Fprintf(e.stdout, "done, %s\n", version(rel.Version))
	return nil
}
