#!/usr/bin/env bash
# Builds the Teams app package of access-bot (the zip you upload to Teams).
#
#   deploy/teams-app/build.sh [--app-id GUID | --dev] [--teams-app-id GUID] [--version X.Y.Z]
#                             [--website-url URL] [--privacy-url URL] [--terms-url URL]
#                             [--valid-domain HOST]... [--out FILE.zip]
#
#   --app-id GUID        the bot's Microsoft App Id (the Azure Bot resource's "Microsoft App ID");
#                        default: $MicrosoftAppId. Goes into bots[0].botId and webApplicationInfo.id.
#   --dev                use the fixed development id 11111111-2222-4333-8444-555555555555
#                        (for local checks and tests; Teams will not reach a bot with it)
#   --teams-app-id GUID  the Teams app's own id (manifest "id"); default: $TeamsAppId, else the
#                        bot's app id. Keep it stable across versions: Teams updates an app by id.
#   --version X.Y.Z      app version (bump it for every upload); default: the VERSION in
#                        project() of the top-level CMakeLists.txt
#   --website-url URL    developer.websiteUrl (https); default https://example.com/access-bot
#   --privacy-url URL    developer.privacyUrl; default WEBSITE_URL/privacy
#   --terms-url URL      developer.termsOfUseUrl; default WEBSITE_URL/terms
#   --valid-domain HOST  add HOST (e.g. bot.contoso.com or *.contoso.com) to validDomains; repeatable
#   --out FILE.zip       default: build/teams-app/access-bot-teams-app.zip under the repository root
#
# Fills manifest.template.json, writes manifest.json, the icons and the localization files to a
# staging folder beside the zip (FILE without .zip), and zips those files at the ROOT of the zip
# with `cmake -E tar --format=zip`. Needs only bash, sed and cmake (scripts/deps.sh installs cmake);
# the icons are committed PNGs (make-icons.sh redraws them with ImageMagick; not needed here).
# Validation: ../shared/realclient/run-all.sh manifest FILE.zip
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly DEV_APP_ID=11111111-2222-4333-8444-555555555555

die() { echo "build.sh: error: $*" >&2; exit 2; }
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

app_id="" teams_app_id="" version="" website_url="" privacy_url="" terms_url="" out="" dev=0
domains=()
need() { [[ $# -ge 2 && -n $2 && $2 != --* ]] || die "$1 needs a value (see --help)"; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --app-id) need "$@"; app_id=$2; shift 2;;
    --teams-app-id) need "$@"; teams_app_id=$2; shift 2;;
    --version) need "$@"; version=$2; shift 2;;
    --website-url) need "$@"; website_url=$2; shift 2;;
    --privacy-url) need "$@"; privacy_url=$2; shift 2;;
    --terms-url) need "$@"; terms_url=$2; shift 2;;
    --valid-domain) need "$@"; domains+=("$2"); shift 2;;
    --out) need "$@"; out=$2; shift 2;;
    --dev) dev=1; shift;;
    -h|--help) usage; exit 0;;
    *) die "unknown argument '$1' (see --help)";;
  esac
done

# ---- decide and check every value before anything is written -------------------------------
# Values end up inside JSON strings: refuse anything that would need escaping.
check_plain() { # NAME VALUE
  local name=$1 v=$2
  [[ $v == *\"* || $v == *\\* ]] && die "$name '$v' contains a quote or backslash, which is not allowed"
  [[ $v =~ [[:cntrl:][:space:]] ]] && die "$name '$v' contains whitespace or control characters"
  return 0
}
guid_re='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
check_guid() { # NAME VALUE WHAT
  check_plain "$1" "$2"
  [[ $2 =~ $guid_re ]] || die "$1 '$2' is not a GUID (8-4-4-4-12 hex digits, e.g. $DEV_APP_ID); it must be $3"
}
check_url() { # NAME VALUE
  check_plain "$1" "$2"
  [[ $2 =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?(/.*)?$ ]] || die "$1 '$2' is not an https:// URL"
  (( ${#2} <= 2048 )) || die "$1 is longer than 2048 characters"
}

if (( dev )); then
  [[ -z $app_id ]] || die "use either --dev or --app-id, not both"
  app_id=$DEV_APP_ID
elif [[ -z $app_id ]]; then
  app_id=${MicrosoftAppId:-}
  [[ -n $app_id ]] || die "no bot app id: pass --app-id GUID (the Azure Bot's Microsoft App Id), set MicrosoftAppId, or use --dev for a local test package"
fi
check_guid "app id" "$app_id" "the Azure Bot's Microsoft App Id"
teams_app_id=${teams_app_id:-${TeamsAppId:-$app_id}}
check_guid "Teams app id" "$teams_app_id" "the Teams app's own id (manifest \"id\")"
app_id=${app_id,,}; teams_app_id=${teams_app_id,,}

if [[ -z $version ]]; then
  cm=$(<"$repo/CMakeLists.txt")
  [[ $cm =~ project\([^\)]*VERSION[[:space:]]+([0-9]+\.[0-9]+\.[0-9]+) ]] \
    || die "no --version given and no project(... VERSION X.Y.Z) found in $repo/CMakeLists.txt"
  version=${BASH_REMATCH[1]}
fi
check_plain "version" "$version"
[[ $version =~ ^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$ ]] \
  || die "version '$version' is not MAJOR.MINOR.PATCH (three numbers without leading zeros, e.g. 1.4.0)"

website_url=${website_url:-https://example.com/access-bot}
check_url "website URL" "$website_url"
if [[ ( -z $privacy_url || -z $terms_url ) && $website_url == *[?#]* ]]; then
  die "--website-url has a query or fragment: pass --privacy-url and --terms-url explicitly"
fi
privacy_url=${privacy_url:-${website_url%/}/privacy}
terms_url=${terms_url:-${website_url%/}/terms}
check_url "privacy URL" "$privacy_url"
check_url "terms-of-use URL" "$terms_url"

domains_json=""
(( ${#domains[@]} <= 100 )) || die "at most 100 --valid-domain entries"
for d in ${domains[@]+"${domains[@]}"}; do
  check_plain "valid domain" "$d"
  [[ $d =~ ^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$ ]] \
    || die "valid domain '$d' is not a host name (like bot.contoso.com or *.contoso.com; no scheme, path or port)"
  domains_json+="${domains_json:+, }\"$d\""
done

out=${out:-$repo/build/teams-app/access-bot-teams-app.zip}
[[ $out == *.zip ]] || die "--out '$out' must end in .zip"
mkdir -p "$(dirname "$out")" || die "cannot create the folder of '$out'"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
stage=${out%.zip}

# ---- the package's files ---------------------------------------------------------------------
template=$here/manifest.template.json
[[ -f $template ]] || die "missing $template"
tpl=$(<"$template")
loc_files=()
rest=$tpl
while [[ $rest =~ \"file\"[[:space:]]*:[[:space:]]*\"([^\"]+)\" ]]; do
  loc_files+=("${BASH_REMATCH[1]}")
  rest=${rest#*"${BASH_REMATCH[0]}"}
done
files=(color.png outline.png ${loc_files[@]+"${loc_files[@]}"})
for f in "${files[@]}"; do
  [[ $f != */* ]] || die "template names '$f'; package files must be at the root"
  [[ -f $here/$f ]] || die "missing $here/$f"
done

# Quoted replacements: no & or other pattern characters are special in them.
tpl=${tpl//'{{APP_ID}}'/"$app_id"}
tpl=${tpl//'{{TEAMS_APP_ID}}'/"$teams_app_id"}
tpl=${tpl//'{{VERSION}}'/"$version"}
tpl=${tpl//'{{WEBSITE_URL}}'/"$website_url"}
tpl=${tpl//'{{PRIVACY_URL}}'/"$privacy_url"}
tpl=${tpl//'{{TERMS_URL}}'/"$terms_url"}
tpl=${tpl//' "{{VALID_DOMAINS}}" '/"${domains_json:+ $domains_json }"}
if [[ $tpl =~ \{\{[A-Za-z_]+\}\} ]]; then die "template placeholder ${BASH_REMATCH[0]} was not filled"; fi

# ---- write: staging folder, then the zip (via a temporary file, so a failure leaves no zip) --
mkdir -p "$stage"
printf '%s\n' "$tpl" > "$stage/manifest.json"
for f in "${files[@]}"; do cp "$here/$f" "$stage/$f"; done
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
# Fixed file order and modification times (the zip still carries access/change times).
(cd "$stage" && cmake -E tar cf "$tmp" --format=zip --mtime="2000-01-01 00:00:00 UTC" manifest.json "${files[@]}") \
  || { echo "build.sh: error: cmake -E tar failed" >&2; exit 1; }
mv -f "$tmp" "$out"
trap - EXIT

echo "Teams app package: $out"
echo "  files:       manifest.json ${files[*]} (staged in $stage/)"
echo "  bot app id:  $app_id$( (( dev )) && echo ' (development id, --dev)')"
echo "  Teams app id $teams_app_id, version $version"
