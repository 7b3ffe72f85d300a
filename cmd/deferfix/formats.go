package main

import (
	"encoding/json"
	"go/token"
	"os"
	"slices"
	"strings"
	"unicode/utf16"

	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rules"
)

// Review bots read SARIF 2.1.0 (GitHub code scanning) and rdjson (reviewdog). The fixes
// offered are what -w writes, as edits against the file as loaded: the hunks of its
// minimal whole-line diff (internal/linediff), each offered once, by the first finding
// whose fix makes it (rewrite.Result.Suggestions), so that a bot's suggestions never
// overlap and accepting all of them gives what -w writes. They stay whole lines:
// suggestion blocks replace lines, and reviewdog drops an rdjson suggestion's columns on
// some hosts (reviewdog/reviewdog#1282), so an edit within a line would replace the wrong
// text there.
//
// SARIF counts columns and character offsets in the unit the run's columnKind names; we
// say utf16CodeUnits (SARIF's default, and what GitHub and editors use) and convert our
// byte offsets, so a fix applied by a SARIF consumer on a line with non-ASCII text lands
// where it should. Load, rule and verification errors are the run's tool execution
// notifications: a run that could not analyse everything says so, instead of looking clean.

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver struct {
		Name            string      `json:"name"`
		Version         string      `json:"version,omitempty"`
		SemanticVersion string      `json:"semanticVersion,omitempty"`
		InformationURI  string      `json:"informationUri"`
		Rules           []sarifRule `json:"rules"`
	} `json:"driver"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifRule struct {
	ID               string      `json:"id"`
	ShortDescription sarifText   `json:"shortDescription"`
	FullDescription  sarifText   `json:"fullDescription"`
	HelpURI          string      `json:"helpUri,omitempty"`
	Properties       interface{} `json:"properties,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
	Fixes     []sarifFix      `json:"fixes,omitempty"`
	// RelatedLocations holds, for a finding another finding's fix removes, that finding.
	RelatedLocations []sarifRelated `json:"relatedLocations,omitempty"`
	Properties       *sarifVerdict  `json:"properties,omitempty"`
}

type sarifRelated struct {
	ID               int           `json:"id"`
	Message          sarifText     `json:"message"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

// sarifVerdict is what -json says in fixed_by and not_fixed: how the fixes deferfix
// applies remove the finding, when not by the result's own fix, or why they do not.
type sarifVerdict struct {
	FixedBy  string `json:"fixedBy,omitempty"`
	NotFixed string `json:"notFixed,omitempty"`
	// FixOfferedAt is the finding whose suggested fix also makes this one's: the
	// suggestions of a run are the hunks of -w's diff, each offered once.
	FixOfferedAt string `json:"fixOfferedAt,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

// sarifRegion is a text region; CharOffset is a pointer because 0 is a valid offset.
type sarifRegion struct {
	StartLine   int  `json:"startLine,omitempty"`
	StartColumn int  `json:"startColumn,omitempty"`
	EndLine     int  `json:"endLine,omitempty"`
	EndColumn   int  `json:"endColumn,omitempty"`
	CharOffset  *int `json:"charOffset,omitempty"`
	CharLength  *int `json:"charLength,omitempty"`
}

type sarifFix struct {
	Description     sarifText     `json:"description"`
	ArtifactChanges []sarifChange `json:"artifactChanges"`
}

type sarifChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

func (p *printer) sarif(res *rewrite.Result, analyzers []*analysis.Analyzer, problems []rewrite.Problem) {
	var log sarifLog
	log.Version, log.Schema = "2.1.0", "https://json.schemastore.org/sarif-2.1.0.json"
	run := sarifRun{Results: []sarifResult{}, ColumnKind: "utf16CodeUnits"}
	run.Tool.Driver.Name = "deferfix"
	v := buildVersion()
	run.Tool.Driver.Version = v.Module
	if semver.IsValid(v.Module) {
		run.Tool.Driver.SemanticVersion = strings.TrimPrefix(v.Module, "v")
	}
	run.Tool.Driver.InformationURI = "https://github.com/deferfix/deferfix"
	for _, a := range analyzers {
		short, _, _ := strings.Cut(a.Doc, "\n")
		short = strings.TrimPrefix(short, a.Name+": ")
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: a.Name, ShortDescription: sarifText{short}, FullDescription: sarifText{a.Doc}, HelpURI: a.URL})
	}
	src := p.sources(res)
	inv := sarifInvocation{ExecutionSuccessful: true}
	for _, pr := range problems {
		n := sarifNotification{Level: "warning", Message: sarifText{p.problem(pr)}}
		if pr.Kind == rewrite.KindError {
			n.Level, inv.ExecutionSuccessful = "error", false
		}
		if pr.Pos.Filename != "" {
			loc := sarifPhysical{ArtifactLocation: sarifArtifact{p.uri(pr.Pos.Filename)}}
			if pr.Pos.Line > 0 {
				loc.Region = &sarifRegion{StartLine: pr.Pos.Line, StartColumn: src.utf16Column(pr.Pos)}
			}
			n.Locations = []sarifLocation{{loc}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	offers := p.offers(res)
	for _, f := range res.Findings {
		r := sarifResult{RuleID: f.Rule, Level: "warning", Message: sarifText{f.Message}}
		region := &sarifRegion{StartLine: f.Pos.Line, StartColumn: src.utf16Column(f.Pos)}
		if f.End.IsValid() {
			region.EndLine, region.EndColumn = f.End.Line, src.utf16Column(f.End)
		}
		r.Locations = []sarifLocation{{sarifPhysical{sarifArtifact{p.uri(f.Pos.Filename)}, region}}}
		if v := p.verdict(f, offers); v != (sarifVerdict{}) {
			r.Properties = &v
		}
		for _, rel := range offers.related(f) {
			at := &sarifRegion{StartLine: rel.pos.Line, StartColumn: src.utf16Column(rel.pos)}
			r.RelatedLocations = append(r.RelatedLocations, sarifRelated{ID: len(r.RelatedLocations) + 1, Message: sarifText{rel.message}, PhysicalLocation: sarifPhysical{sarifArtifact{p.uri(rel.pos.Filename)}, at}})
		}
		if s := offers.own[f]; s != nil {
			fix := sarifFix{Description: sarifText{s.Title}}
			byFile := make(map[string]*sarifChange)
			for _, e := range s.Edits {
				c := byFile[e.File]
				if c == nil {
					fix.ArtifactChanges = append(fix.ArtifactChanges, sarifChange{ArtifactLocation: sarifArtifact{p.uri(e.File)}})
					c = &fix.ArtifactChanges[len(fix.ArtifactChanges)-1]
					byFile[e.File] = c
				}
				start, end := src.utf16Offset(e.File, e.Start), src.utf16Offset(e.File, e.End)
				length := end - start
				c.Replacements = append(c.Replacements, sarifReplacement{
					DeletedRegion:   sarifRegion{CharOffset: &start, CharLength: &length},
					InsertedContent: sarifText{string(e.New)},
				})
			}
			r.Fixes = []sarifFix{fix}
		}
		run.Results = append(run.Results, r)
	}
	log.Runs = []sarifRun{run}
	p.encode(log)
}

// sourceFiles gives the contents of files as deferfix loaded them: a changed file's old
// contents (after -w the disk holds the new ones), else what is on disk.
type sourceFiles struct {
	loaded map[string][]byte
}

func (p *printer) sources(res *rewrite.Result) *sourceFiles {
	s := &sourceFiles{loaded: make(map[string][]byte)}
	for _, c := range res.Changes {
		s.loaded[c.Path] = c.Old
	}
	return s
}

func (s *sourceFiles) get(file string) []byte {
	src, ok := s.loaded[file]
	if !ok {
		src, _ = os.ReadFile(file)
		s.loaded[file] = src
	}
	return src
}

// utf16Offset converts a byte offset in file to UTF-16 code units.
func (s *sourceFiles) utf16Offset(file string, off int) int {
	src := s.get(file)
	return utf16Len(src[:min(off, len(src))])
}

// utf16Column converts a position's byte column (1-based) to UTF-16 code units.
func (s *sourceFiles) utf16Column(pos token.Position) int {
	src := s.get(pos.Filename)
	if pos.Column <= 0 || pos.Offset > len(src) {
		return pos.Column
	}
	start := max(pos.Offset-(pos.Column-1), 0)
	return 1 + utf16Len(src[start:pos.Offset])
}

func utf16Len(b []byte) int {
	n := 0
	for _, r := range string(b) { // an invalid byte is one U+FFFD: one unit
		n += utf16.RuneLen(r)
	}
	return n
}

func (p *printer) uri(path string) string {
	return strings.ReplaceAll(p.relPath(path), string(os.PathSeparator), "/")
}

type rdPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type rdRange struct {
	Start rdPosition `json:"start"`
	End   rdPosition `json:"end"`
}

type rdDiagnostic struct {
	Message  string `json:"message"`
	Location struct {
		Path  string  `json:"path"`
		Range rdRange `json:"range"`
	} `json:"location"`
	Severity string `json:"severity"`
	Code     struct {
		Value string `json:"value"`
		URL   string `json:"url,omitempty"`
	} `json:"code"`
	Suggestions []rdSuggestion `json:"suggestions,omitempty"`
	// RelatedLocations holds, for a finding another finding's fix removes, that finding.
	RelatedLocations []rdRelated `json:"related_locations,omitempty"`
}

type rdRelated struct {
	Message  string `json:"message"`
	Location struct {
		Path  string  `json:"path"`
		Range rdRange `json:"range"`
	} `json:"location"`
}

type rdSuggestion struct {
	Range rdRange `json:"range"`
	Text  string  `json:"text"`
}

func (p *printer) rdjson(res *rewrite.Result) {
	urls := make(map[string]string)
	for _, a := range rules.All {
		urls[a.Name] = a.URL
	}
	out := struct {
		Source struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"source"`
		Severity    string         `json:"severity"`
		Diagnostics []rdDiagnostic `json:"diagnostics"`
	}{Severity: "WARNING", Diagnostics: []rdDiagnostic{}}
	out.Source.Name, out.Source.URL = "deferfix", "https://github.com/deferfix/deferfix"
	// Suggestions are edits of the files as loaded: after -w the disk holds the new ones.
	src := p.sources(res)
	position := func(file string, off int) rdPosition {
		src := src.get(file)
		off = min(off, len(src))
		line := 1 + strings.Count(string(src[:off]), "\n")
		col := off - strings.LastIndex(string(src[:off]), "\n")
		return rdPosition{line, col}
	}
	offers := p.offers(res)
	for _, f := range res.Findings {
		var d rdDiagnostic
		d.Message, d.Severity = f.Message, "WARNING"
		d.Code.Value, d.Code.URL = f.Rule, urls[f.Rule]
		d.Location.Path = p.uri(f.Pos.Filename)
		d.Location.Range.Start = rdPosition{f.Pos.Line, f.Pos.Column}
		if f.End.IsValid() {
			d.Location.Range.End = rdPosition{f.End.Line, f.End.Column}
		}
		if s := offers.own[f]; s != nil {
			// reviewdog suggestions stay in the diagnostic's file: a suggestion that also
			// edits another file is offered whole or not at all.
			if !slices.ContainsFunc(s.Edits, func(e rewrite.Edit) bool { return e.File != f.Pos.Filename }) {
				for _, e := range s.Edits {
					d.Suggestions = append(d.Suggestions, rdSuggestion{Range: rdRange{position(e.File, e.Start), position(e.File, e.End)}, Text: string(e.New)})
				}
			}
		}
		// reviewdog shows the message, the suggestions and the related locations, not
		// SARIF's properties: what the fixes do about a finding that offers no suggestion
		// of its own goes in the message.
		if v := p.verdict(f, offers); d.Suggestions == nil && v != (sarifVerdict{}) {
			// As -v says it.
			switch {
			case v.NotFixed != "":
				d.Message += "\n\nnot fixed: " + v.NotFixed
			case v.FixedBy != "":
				d.Message += "\n\nfix: " + v.FixedBy
			case v.FixOfferedAt != "":
				d.Message += "\n\nfix: part of the fix suggested at " + v.FixOfferedAt
			}
		}
		for _, rel := range offers.related(f) {
			r := rdRelated{Message: rel.message}
			r.Location.Path = p.uri(rel.pos.Filename)
			r.Location.Range.Start = rdPosition{rel.pos.Line, rel.pos.Column}
			d.RelatedLocations = append(d.RelatedLocations, r)
		}
		out.Diagnostics = append(out.Diagnostics, d)
	}
	p.encode(out)
}

func (p *printer) encode(v any) {
	enc := json.NewEncoder(p.stdout)
	enc.SetIndent("", "\t")
	enc.Encode(v)
}

// offered says which finding offers which part of -w's rewrite (rewrite.Suggestions).
type offered struct {
	own    map[*rewrite.Finding]*rewrite.Suggestion // the suggestion a finding offers
	partOf map[*rewrite.Finding]*rewrite.Suggestion // the one a finding's fix is part of
}

func (p *printer) offers(res *rewrite.Result) *offered {
	list, partOf := res.Suggestions()
	o := &offered{own: make(map[*rewrite.Finding]*rewrite.Suggestion), partOf: partOf}
	for _, s := range list {
		o.own[s.By] = s
	}
	return o
}

type relatedPos struct {
	pos     token.Position
	message string
}

// related returns the findings to show beside f: the one whose fix removed it, and the
// one that offers the suggestion its fix is part of.
func (o *offered) related(f *rewrite.Finding) []relatedPos {
	var out []relatedPos
	if f.FixedAt.IsValid() {
		out = append(out, relatedPos{f.FixedAt, "fixed by this finding's fix"})
	}
	if s := o.partOf[f]; s != nil && (!f.FixedAt.IsValid() || s.By.Pos.Offset != f.FixedAt.Offset || s.By.Pos.Filename != f.FixedAt.Filename) {
		out = append(out, relatedPos{s.By.Pos, "this finding's suggested fix also fixes it"})
	}
	return out
}
