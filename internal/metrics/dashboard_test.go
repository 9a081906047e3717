package metrics

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// dashboardPath is the Grafana dashboard, relative to this package.
const dashboardPath = "../../dashboards/nodecoin.json"

// dsVar is the dashboard's data source variable.
const dsVar = "DS_PROMETHEUS"

type dashboard struct {
	Title         string  `json:"title"`
	UID           string  `json:"uid"`
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      json.RawMessage `json:"query"`
			Definition string          `json:"definition"`
			Datasource *datasource     `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	GridPos    *struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string      `json:"refId"`
		Expr       string      `json:"expr"`
		Datasource *datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's panels
}

// loadDashboard reads and decodes the dashboard, refusing unknown shapes of
// the fields it checks.
func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatalf("read dashboard: %v", err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("dashboard %s is not valid JSON of a dashboard: %v", dashboardPath, err)
	}
	return d
}

// allPanels returns every panel, rows' nested panels included.
func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// exposedNames returns every series name the registry exposes once every
// kind of observation has been made, histograms' and summaries' _bucket,
// _sum and _count included, and the names of nodecoin's own families.
func exposedNames(t *testing.T) (series map[string]bool, families []string) {
	t.Helper()
	fams, err := populated().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	series = make(map[string]bool)
	for _, f := range fams {
		name := f.GetName()
		series[name] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			series[name+"_bucket"], series[name+"_sum"], series[name+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			series[name+"_sum"], series[name+"_count"] = true, true
		}
		if strings.HasPrefix(name, Namespace+"_") {
			families = append(families, name)
		}
	}
	return series, families
}

var (
	promqlStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	promqlMatchers  = regexp.MustCompile(`\{[^}]*\}`)
	promqlRanges    = regexp.MustCompile(`\[[^\]]*\]`)
	promqlGrouping  = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promqlVariables = regexp.MustCompile(`\$\{?\w+\}?`)
	promqlTokens    = regexp.MustCompile(`(?:[0-9]+(?:ms|[smhdwy]))+\b|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?`)
	promqlKeywords  = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
		"Inf": true, "inf": true, "NaN": true, "nan": true}
)

// metricNames returns the metric names a PromQL expression selects: its
// identifiers that are not functions, keywords, label names of matchers or
// groupings, or dashboard variables.
func metricNames(expr string) []string {
	s := promqlStrings.ReplaceAllString(expr, `""`)
	s = promqlMatchers.ReplaceAllString(s, " ")
	s = promqlRanges.ReplaceAllString(s, " ")
	s = promqlGrouping.ReplaceAllString(s, " ")
	s = promqlVariables.ReplaceAllString(s, " ")
	var names []string
	for _, tok := range promqlTokens.FindAllString(s, -1) {
		if tok[0] >= '0' && tok[0] <= '9' || strings.HasSuffix(tok, "(") {
			continue // a number or a function call
		}
		tok = strings.TrimSpace(tok)
		if !promqlKeywords[tok] {
			names = append(names, tok)
		}
	}
	return names
}

func TestMetricNamesOfPromQL(t *testing.T) {
	for expr, want := range map[string]string{
		`histogram_quantile(0.99, sum by (method, le) (rate(a_bucket{instance=~"$instance",x!="y(z)"}[$__rate_interval])))`: "a_bucket",
		`sum(rate(a_sum[5m])) / sum(rate(a_count[5m])) * 1e3`:                                                               "a_sum a_count",
		`time() - b offset 1h`:                     "b",
		`c > bool 2 and on (instance) d`:           "c d",
		`log2(e{instance=~"${instance}"})`:         "e",
		`sum without(le) (f) unless ignoring(x) g`: "f g",
	} {
		if got := strings.Join(metricNames(expr), " "); got != want {
			t.Errorf("metricNames(%s) = %q, want %q", expr, got, want)
		}
	}
}

// TestDashboard checks the Grafana dashboard: valid JSON of schema 39 with a
// templated Prometheus data source, well-formed panels, and expressions
// that select only series the registry exposes, so the dashboard cannot
// drift from the code. Every nodecoin_ family must appear in some panel.
func TestDashboard(t *testing.T) {
	d := loadDashboard(t)
	if d.Title == "" || d.UID == "" {
		t.Errorf("dashboard without title or uid: %q %q", d.Title, d.UID)
	}
	if d.SchemaVersion < 36 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion %d, want about 39", d.SchemaVersion)
	}
	exposed, families := exposedNames(t)

	var haveDS bool
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			var q string
			if v.Name == dsVar && json.Unmarshal(v.Query, &q) == nil && q == "prometheus" {
				haveDS = true
			}
		case "query":
			if v.Datasource == nil || v.Datasource.UID != "${"+dsVar+"}" {
				t.Errorf("variable %s: datasource %+v, want uid ${%s}", v.Name, v.Datasource, dsVar)
			}
			m := regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`).FindStringSubmatch(v.Definition)
			if m == nil || !exposed[m[1]] {
				t.Errorf("variable %s: query %q does not select an exposed series", v.Name, v.Definition)
			}
		}
	}
	if !haveDS {
		t.Errorf("no datasource variable %s of type prometheus", dsVar)
	}

	ids := map[int]string{}
	used := map[string]bool{}
	var exprs []string
	for _, p := range allPanels(d.Panels) {
		if p.Title == "" {
			t.Errorf("panel %d has no title", p.ID)
		}
		if prev, dup := ids[p.ID]; dup || p.ID == 0 {
			t.Errorf("panel %q: id %d missing or already used by %q", p.Title, p.ID, prev)
		}
		ids[p.ID] = p.Title
		if p.GridPos == nil || p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: bad gridPos %+v", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${"+dsVar+"}" || p.Datasource.Type != "prometheus" {
			t.Errorf("panel %q: datasource %+v, want prometheus ${%s}", p.Title, p.Datasource, dsVar)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if refs[tg.RefID] || tg.RefID == "" {
				t.Errorf("panel %q: refId %q missing or repeated", p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			if tg.Datasource != nil && tg.Datasource.UID != "${"+dsVar+"}" {
				t.Errorf("panel %q %s: datasource %+v", p.Title, tg.RefID, tg.Datasource)
			}
			names := metricNames(tg.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q %s: expression %q selects no series", p.Title, tg.RefID, tg.Expr)
			}
			for _, n := range names {
				if !exposed[n] {
					t.Errorf("panel %q %s: %s is not exposed by the registry (expression %q)", p.Title, tg.RefID, n, tg.Expr)
				}
				used[strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")] = true
				used[n] = true
			}
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, f := range families {
		if !used[f] {
			t.Errorf("series %s has no panel in %s", f, dashboardPath)
		}
	}
	// The required panels, by the series they must show.
	for _, n := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total",
		"process_resident_memory_bytes"} {
		if !used[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
	checkPromQLSyntax(t, exprs)
}

// checkPromQLSyntax has promtool parse every expression, as rules of a
// rule file, with the dashboard's variables given typical values. Like
// TestPromtoolCheckMetrics it needs promtool when CI is set.
func checkPromQLSyntax(t *testing.T, exprs []string) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool not found in PATH (install it with: apt-get install -y prometheus); PromQL syntax not checked"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI is set, so the check is required")
		}
		t.Log(msg)
		return
	}
	vars := strings.NewReplacer("$__rate_interval", "1m", "$__range", "6h", "$__interval", "15s",
		"${instance}", ".*", "$instance", ".*")
	var b strings.Builder
	b.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	sort.Strings(exprs)
	for i, e := range exprs {
		q, _ := json.Marshal(vars.Replace(e)) // a JSON string is a YAML string
		fmt.Fprintf(&b, "      - record: dashboard:expr%d\n        expr: %s\n", i, q)
	}
	file := filepath.Join(t.TempDir(), "dashboard-rules.yml")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules over the dashboard's expressions: %v\n%s", err, out)
	}
}
