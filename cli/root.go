package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Command groups, in the order help lists them.
var groups = []*cobra.Group{
	{ID: "apps", Title: "Apps:"},
	{ID: "deploys", Title: "Builds and releases:"},
	{ID: "config", Title: "Config vars:"},
	{ID: "ps", Title: "Processes:"},
	{ID: "addons", Title: "Add-ons:"},
	{ID: "auth", Title: "Account:"},
}

// newRootCmd builds the command tree, bound to e.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "paas",
		Short: "Create, deploy and manage apps on the paas platform",
		Long: "paas manages apps on a paas platform. Log in with `paas login`, create an app with\n" +
			"`paas apps:create NAME` inside its git repository, then deploy with `git push paas main`.",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          rootArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SuggestionsMinimumDistance = 2
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.PersistentFlags().BoolVar(&e.verbose, "verbose", false, "log each API request to stderr (never the token)")
	root.AddGroup(groups...)
	addGroup(root, "auth", newLoginCmd(e), newLogoutCmd(e), newWhoamiCmd(e))
	addGroup(root, "auth", newTokensCmd(e), newTokensCreateCmd(e), newTokensRevokeCmd(e),
		newUsersCmd(e), newUsersCreateCmd(e), newAuditCmd(e))
	addGroup(root, "auth", newTeamsCmd(e), newTeamsCreateCmd(e), newTeamsDestroyCmd(e), newTeamsMembersCmd(e),
		newTeamsAddCmd(e), newTeamsRemoveCmd(e))
	addGroup(root, "apps", newAccessCmd(e), newAccessAddCmd(e), newAccessRemoveCmd(e))
	addGroup(root, "apps", newAppsCmd(e), newAppsCreateCmd(e), newAppsInfoCmd(e), newAppsDestroyCmd(e), newGitRemoteCmd(e))
	addGroup(root, "deploys", newReleasesCmd(e), newReleasesInfoCmd(e), newReleasesRollbackCmd(e), newBuildsCmd(e), newBuildsInfoCmd(e), newBuildsCreateCmd(e))
	addGroup(root, "config", newConfigCmd(e), newConfigGetCmd(e), newConfigSetCmd(e), newConfigUnsetCmd(e))
	addGroup(root, "ps", newPsCmd(e), newPsScaleCmd(e), newPsRestartCmd(e), newPsStopCmd(e), newRunCmd(e), newLogsCmd(e))
	addGroup(root, "ps", newAutoscaleCmd(e), newAutoscaleEnableCmd(e), newAutoscaleDisableCmd(e), newEventsCmd(e))
	addGroup(root, "deploys", newCanaryCmd(e), newCanaryPromoteCmd(e), newCanaryAbortCmd(e),
		newMaintenanceCmd(e), newMaintenanceSetCmd(e, true), newMaintenanceSetCmd(e, false))
	addGroup(root, "apps", newDomainsCmd(e), newDomainsAddCmd(e), newDomainsRemoveCmd(e))
	addGroup(root, "deploys", newWebhooksCmd(e), newWebhooksAddCmd(e), newWebhooksRemoveCmd(e), newWebhooksDeliveriesCmd(e))
	addGroup(root, "addons", newAddonsCmd(e), newAddonsCreateCmd(e), newAddonsInfoCmd(e), newAddonsAttachCmd(e),
		newAddonsDetachCmd(e), newAddonsDestroyCmd(e), newPgBackupsCmd(e), newPgBackupsCaptureCmd(e),
		newPgBackupsRestoreCmd(e), newPgBackupsDeleteCmd(e))
	root.AddCommand(newVersionCmd(e))
	return root
}

func addGroup(root *cobra.Command, id string, cmds ...*cobra.Command) {
	for _, c := range cmds {
		c.GroupID = id
		root.AddCommand(c)
	}
}

// rootArgs rejects an unknown command as a usage error, with cobra's
// suggestions.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("%q is not a paas command", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageErrorf("%s", msg)
}

// noArgs accepts no positional arguments.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	return nil
}

// argNames accepts exactly the named positional arguments and at most
// optional more.
func argNames(required []string, optional int) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < len(required) {
			return usageErrorf("missing %s", required[len(args)])
		}
		if len(args) > len(required)+optional {
			return usageErrorf("unexpected argument %q", args[len(required)+optional])
		}
		return nil
	}
}

// someArgs accepts one or more positional arguments; missing names the
// first.
func someArgs(missing string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf("missing %s", missing)
		}
		return nil
	}
}
