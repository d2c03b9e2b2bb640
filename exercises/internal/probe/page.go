package probe

import "html/template"

// page is the class's page, as -html writes it. html/template escapes
// every name, request and reply, so nothing a student sent can act on
// the page.
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Prime servers: {{.Roster}}</title>
<style>
body { font-family: system-ui, sans-serif; font-size: 1.3rem;
  margin: 1.5rem; color: #111; background: #fff; }
h1 { font-size: 2rem; margin: 0 0 .3rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: .3rem .6rem;
  text-align: left; vertical-align: top; }
th { background: #eee; }
td.score { text-align: center; font-variant-numeric: tabular-nums; }
.good { background: #d7f5d7; }
.bad { background: #fbd9d9; }
.absent { background: #eee; color: #555; }
code { font-family: ui-monospace, monospace; font-size: 1.1rem;
  overflow-wrap: anywhere; }
section { border-top: 2px solid #999; margin-top: 1.5rem; }
</style>
</head>
<body>
<h1>Prime servers, graded</h1>
<p>{{.Conforming}} of {{len .Grades}} servers conform. Roster:
<code>{{.Roster}}</code>; at most {{.Timeout}} per case.</p>
<table>
<tr><th>student</th><th>passed</th>
{{- range .Categories}}<th>{{.}}</th>{{end}}<th>first problem</th></tr>
{{- range .Grades}}
<tr>
<td><a href="#{{.ID}}">{{.Name}}</a></td>
<td class="score {{.Class}}">{{.Passed}}</td>
{{- range .Scores}}
<td class="score {{.Class}}">{{.Text}}</td>
{{- end}}
<td>{{.First}}</td>
</tr>
{{- end}}
</table>
{{range .Grades}}
<section id="{{.ID}}">
<h2>{{.Name}}</h2>
<p><code>{{.Server}}</code>: {{.Verdict}}</p>
{{- range .Warnings}}
<p>⚠ {{.}}</p>
{{- end}}
{{- if .Causes}}
<ul>
{{- range .Causes}}
<li><strong>{{.Cause}}</strong>: {{.Count}}. {{.Meaning}}.</li>
{{- end}}
</ul>
<table>
<tr><th>case</th><th>sent</th><th>wanted</th><th>what happened</th></tr>
{{- range .Failures}}
<tr><td>{{.Name}}</td><td><code>{{.Request}}</code></td>
<td><code>{{.Want}}</code></td><td>{{.Problem}}</td></tr>
{{- end}}
</table>
{{- end}}
</section>
{{- end}}
</body>
</html>
`))
