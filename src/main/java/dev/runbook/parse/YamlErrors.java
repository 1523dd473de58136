package dev.runbook.parse;

import dev.runbook.model.Location;
import dev.runbook.model.Problem;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SnakeYAML's errors in the user's words, with the line and the likely fix: which key is
 * mis-indented relative to which, a tab named as a tab, a quote or bracket never closed, the
 * line where a hostile-input guard was hit. Its own text ({@code <block end>}, class names)
 * never reaches the user.
 */
final class YamlErrors {

    private static final Pattern UNDEFINED_ALIAS = Pattern.compile("found undefined alias (\\S+)");
    private static final Pattern BAD_START = Pattern.compile("found character '(.)' that cannot start any token");

    private YamlErrors() {
    }

    /** Lines indented with a tab: YAML indents with spaces only, and the parser's message hides which line. */
    static List<Problem> tabs(String file, String text) {
        List<Problem> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length && out.size() < 20; i++) {
            String line = lines[i];
            int j = 0;
            while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t')) {
                if (line.charAt(j) == '\t' && j + 1 < line.length() && !line.substring(j).isBlank()
                        && !line.substring(j).trim().startsWith("#")) {
                    out.add(Problem.at(new Location(file, i + 1, j + 1),
                            "this line is indented with a tab; YAML indents with spaces only (replace the tab with spaces)"));
                    break;
                }
                j++;
            }
        }
        return out;
    }

    /** A syntax error at a known place. */
    static Problem explain(String file, String text, MarkedYAMLException e) {
        Mark problem = e.getProblemMark();
        Mark context = e.getContextMark();
        Mark at = problem != null ? problem : context;
        Location where = location(file, at);
        String what = e.getProblem() == null ? "" : e.getProblem();
        String ctx = e.getContext() == null ? "" : e.getContext();
        String[] lines = text.split("\n", -1);
        if (what.startsWith("expected <block end>") && problem != null) {
            String item = word(lines, problem);
            int col = problem.getColumn();
            int above = previousContentLine(lines, problem.getLine());
            if (item.startsWith("- ")) {
                for (int i = above; i >= 0; i--) {
                    if (lines[i].trim().startsWith("- ")) {
                        above = i;
                        break;
                    }
                }
            }
            StringBuilder others = new StringBuilder();
            if (above >= 0) {
                others.append("'").append(firstKey(lines[above])).append("' on line ").append(above + 1)
                        .append(" is indented ").append(indent(lines, above));
            }
            if (context != null && context.getLine() != above) {
                others.append(others.length() > 0 ? " and " : "").append("'").append(word(lines, context)).append("' on line ")
                        .append(context.getLine() + 1).append(" is indented ").append(context.getColumn());
            }
            return Problem.at(where, "'" + item + "' is indented " + col + " space" + (col == 1 ? "" : "s")
                    + ", which lines up with nothing above it" + (others.length() > 0 ? ": " + others : "")
                    + "; indent it exactly like the key (or list item) it belongs with");
        }
        if (what.startsWith("mapping values are not allowed")) {
            int row = at.getLine();
            int indent = indent(lines, row);
            int above = previousContentLine(lines, row);
            if (above >= 0 && indent > indent(lines, above)) {
                return Problem.at(new Location(file, row + 1, indent + 1), "'" + firstKey(lines[row]) + "' is indented more than '"
                        + firstKey(lines[above]) + "' on line " + (above + 1) + ", so YAML reads it as part of that value; "
                        + "indent it the same as '" + firstKey(lines[above]) + "' (or put a key ending in ':' above it)");
            }
            return Problem.at(where, "a second ': ' on this line; put a value that contains ': ' in quotes");
        }
        if (what.startsWith("could not find expected ':'")) {
            int row = context != null ? context.getLine() : at.getLine();
            return Problem.at(new Location(file, row + 1, context != null ? context.getColumn() + 1 : 1),
                    "a key is missing its ':' (write `key: value`, with a space after the colon)");
        }
        if (what.contains("end of stream") && ctx.contains("quoted scalar") && context != null) {
            return Problem.at(location(file, context), "this quote is never closed; end the value with the same quote");
        }
        if ((ctx.contains("flow mapping") || ctx.contains("flow sequence")) && context != null) {
            boolean map = ctx.contains("flow mapping");
            return Problem.at(location(file, context), "this `" + (map ? "{" : "[") + "` is not closed with `" + (map ? "}" : "]")
                    + "` (or a `,` is missing between its items before line " + (at.getLine() + 1) + ")");
        }
        Matcher alias = UNDEFINED_ALIAS.matcher(what);
        if (alias.find()) {
            return Problem.at(where, "`*" + alias.group(1) + "` refers to an anchor `&" + alias.group(1)
                    + "` that is not defined above it");
        }
        Matcher start = BAD_START.matcher(what);
        if (start.find()) {
            return Problem.at(where, "a value cannot start with `" + start.group(1) + "`; put the value in quotes");
        }
        if (what.contains("found unexpected end of stream")) {
            return Problem.at(where, "the file ends in the middle of a value (a quote or bracket left open above?)");
        }
        return Problem.at(where, "the YAML structure is broken here; check the indentation, colons and quotes of this line and the one above");
    }

    /** A guard hit without a position (too many aliases, too deep): find the line by reading the events again. */
    static Problem guard(String file, String text, YAMLException e, int maxAliases, int maxDepth) {
        LoaderOptions relaxed = new LoaderOptions();
        relaxed.setMaxAliasesForCollections(Integer.MAX_VALUE);
        relaxed.setNestingDepthLimit(Integer.MAX_VALUE);
        relaxed.setCodePointLimit(YamlTree.MAX_BYTES);
        int aliases = 0;
        int depth = 0;
        try {
            for (Event ev : new Yaml(relaxed).parse(new StringReader(text))) {
                if (ev instanceof AliasEvent && ++aliases > maxAliases) {
                    return Problem.at(location(file, ev.getStartMark()), "more than " + maxAliases
                            + " aliases (*name); a runbook never needs that many, and alias bombs use them to blow up: refusing to read it");
                }
                if (ev instanceof CollectionStartEvent && ++depth > maxDepth) {
                    return Problem.at(location(file, ev.getStartMark()), "nested more than " + maxDepth
                            + " levels deep; a runbook never needs that: refusing to read it");
                }
                if (ev instanceof CollectionEndEvent) {
                    depth--;
                }
            }
        } catch (YAMLException again) {
            // fall through to the message without a line
        }
        return Problem.at(Location.unknown(file), "the file is too large or too deeply nested for a runbook: refusing to read it");
    }

    /** The 1-based line where a size limit is reached. */
    static int lineAt(String text, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, text.length()); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static Location location(String file, Mark mark) {
        return mark == null ? Location.unknown(file) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    private static String word(String[] lines, Mark mark) {
        if (mark.getLine() >= lines.length) {
            return "the end of the file";
        }
        String rest = lines[mark.getLine()].substring(Math.min(mark.getColumn(), lines[mark.getLine()].length())).trim();
        return firstKey(rest);
    }

    private static String firstKey(String line) {
        String t = line.trim();
        if (t.startsWith("- ")) {
            return "- " + firstKey(t.substring(2));
        }
        int colon = t.indexOf(':');
        String key = colon > 0 ? t.substring(0, colon) : t;
        return key.length() > 40 ? key.substring(0, 40) + "…" : key;
    }

    private static int indent(String[] lines, int row) {
        if (row >= lines.length) {
            return 0;
        }
        String l = lines[row];
        int i = 0;
        while (i < l.length() && l.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static int previousContentLine(String[] lines, int row) {
        for (int i = row - 1; i >= 0; i--) {
            String t = lines[i].trim();
            if (!t.isEmpty() && !t.startsWith("#")) {
                return i;
            }
        }
        return -1;
    }
}
