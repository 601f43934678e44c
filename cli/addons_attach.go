package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func newAddonsAttachCmd(e *env) *cobra.Command {
	var f appFlags
	var as string
	cmd := &cobra.Command{
		Use:   "addons:attach NAME",
		Short: "Attach an existing add-on to an app",
		Long: "Attach an existing add-on to another app, which gets its URL as DATABASE_URL or REDIS_URL,\n" +
			"or NAME_URL with --as NAME. This makes and rolls out a release, as config:set does.\n" +
			"You must be able to deploy an app the add-on already belongs or is attached to.",
		Args: argNames([]string{"add-on name; usage: paas addons:attach NAME -a APP"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkAs(as); err != nil {
				return err
			}
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.attachAddon(cmd.Context(), args[0], app, as)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&as, "as", "", "attach as NAME, which sets NAME_URL (default DATABASE or REDIS)")
	return cmd
}

func (e *env) attachAddon(ctx context.Context, name, app, as string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Attaching %s to %s... ", name, app)
	ch, err := c.Addons().Attach(ctx, name, app, as)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	fmt.Fprintln(e.stdout, "done")
	printAttached(e.stdout, ch, app)
	return nil
}

func newAddonsDetachCmd(e *env) *cobra.Command {
	var f appFlags
	cmd := &cobra.Command{
		Use:   "addons:detach NAME",
		Short: "Detach an add-on from an app; the add-on and its data stay",
		Long: "Detach an add-on from an app: its config var is unset, which makes and rolls out a\n" +
			"release. The add-on keeps running with its data; attach it again or destroy it later.",
		Args: argNames([]string{"add-on name; usage: paas addons:detach NAME -a APP"}, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			app, err := f.resolve(cmd.Context(), e)
			if err != nil {
				return err
			}
			return e.detachAddon(cmd.Context(), args[0], app)
		},
	}
	f.register(cmd)
	return cmd
}

func (e *env) detachAddon(ctx context.Context, name, app string) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Detaching %s from %s... ", name, app)
	ch, err := c.Addons().Detach(ctx, name, app)
	if err != nil {
		fmt.Fprintln(e.stdout, "failed")
		return err
	}
	if ch.Release != nil {
		fmt.Fprintf(e.stdout, "done, %s\n", version(ch.Release.Version))
		return nil
	}
	fmt.Fprintln(e.stdout, "done")
	return nil
}
