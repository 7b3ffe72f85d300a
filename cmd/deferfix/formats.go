package main

import (
	"encoding/json"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/deferfix/deferfix/rewrite"
	"github.com/deferfix/deferfix/rules"
)

// Review bots read SARIF 2.1.0 (GitHub code scanning) and rdjson (reviewdog). Each
// finding carries its rule's first allowed fix as edits against the file as loaded.

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	} `json:"driver"`
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
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine,omitempty"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
	CharOffset  int `json:"charOffset,omitempty"`
	CharLength  int `json:"charLength,omitempty"`
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

func (p *printer) sarif(res *rewrite.Result, analyzers []*analysis.Analyzer) {
	var log sarifLog
	log.Version, log.Schema = "2.1.0", "https://json.schemastore.org/sarif-2.1.0.json"
	run := sarifRun{Results: []sarifResult{}}
	run.Tool.Driver.Name = "deferfix"
	run.Tool.Driver.InformationURI = "https://github.com/deferfix/deferfix"
	for _, a := range analyzers {
		short, _, _ := strings.Cut(a.Doc, "\n")
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: a.Name, ShortDescription: sarifText{short}, FullDescription: sarifText{a.Doc}, HelpURI: a.URL})
	}
	for _, f := range res.Findings {
		r := sarifResult{RuleID: f.Rule, Level: "warning", Message: sarifText{f.Message}}
		region := sarifRegion{StartLine: f.Pos.Line, StartColumn: f.Pos.Column}
		if f.End.IsValid() {
			region.EndLine, region.EndColumn = f.End.Line, f.End.Column
		}
		r.Locations = []sarifLocation{{sarifPhysical{sarifArtifact{p.uri(f.Pos.Filename)}, region}}}
		if f.Fix != nil {
			fix := sarifFix{Description: sarifText{f.Fix.Title}}
			byFile := make(map[string]*sarifChange)
			for _, e := range f.Fix.Edits {
				c := byFile[e.File]
				if c == nil {
					fix.ArtifactChanges = append(fix.ArtifactChanges, sarifChange{ArtifactLocation: sarifArtifact{p.uri(e.File)}})
					c = &fix.ArtifactChanges[len(fix.ArtifactChanges)-1]
					byFile[e.File] = c
				}
				c.Replacements = append(c.Replacements, sarifReplacement{
					DeletedRegion:   sarifRegion{CharOffset: e.Start, CharLength: e.End - e.Start},
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
	contents := make(map[string][]byte)
	position := func(file string, off int) rdPosition {
		src, ok := contents[file]
		if !ok {
			src, _ = os.ReadFile(file)
			contents[file] = src
		}
		off = min(off, len(src))
		line := 1 + strings.Count(string(src[:off]), "\n")
		col := off - strings.LastIndex(string(src[:off]), "\n")
		return rdPosition{line, col}
	}
	for _, f := range res.Findings {
		var d rdDiagnostic
		d.Message, d.Severity = f.Message, "WARNING"
		d.Code.Value, d.Code.URL = f.Rule, urls[f.Rule]
		d.Location.Path = p.uri(f.Pos.Filename)
		d.Location.Range.Start = rdPosition{f.Pos.Line, f.Pos.Column}
		if f.End.IsValid() {
			d.Location.Range.End = rdPosition{f.End.Line, f.End.Column}
		}
		if f.Fix != nil {
			for _, e := range f.Fix.Edits {
				if e.File != f.Pos.Filename {
					continue // reviewdog suggestions stay in the diagnostic's file
				}
				d.Suggestions = append(d.Suggestions, rdSuggestion{Range: rdRange{position(e.File, e.Start), position(e.File, e.End)}, Text: string(e.New)})
			}
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
