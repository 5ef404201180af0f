// GenTable records what the JDK's java.text.SimpleDateFormat does, as data
// for package javatime: the tests read the table, so they need no JDK.
//
// Regenerate from the repository root with a JDK 17 or later:
//
//	java -Duser.timezone=UTC -Duser.language=en -Duser.country=US \
//	    javatime/testdata/jdk/GenTable.java javatime
//
// It writes two files under the directory given:
//
//   - testdata/jdk/table.tsv: rows of "format" (an instant written with a
//     pattern in a zone) and "parse" (a string read with a pattern in a
//     zone, giving an instant or "error"), checked by jdk_test.go;
//   - zonenames.tsv: the names the JDK gives each zone in Locale.US, in the
//     order its parser tries them, embedded by zonenames.go.
//
// The formats are built as javatime reads Java where Java leaves room:
// Locale.US, the ISO 8601 week (Monday first, four days in week 1; the
// US locale would start weeks on Sunday), two-digit years pivoting at 1969,
// a fresh SimpleDateFormat for every row (parsing a zone name changes the
// zone of the instance that parsed it), and the JVM's default zone UTC.
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DateFormatSymbols;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

public class GenTable {
    // Zones as javatime.LoadLocation and TimeZone.getTimeZone both spell them.
    static final String[] ZONES = {
        "America/Los_Angeles", "Australia/Lord_Howe", "Europe/London", "Europe/Berlin",
        "America/Sao_Paulo", "Asia/Kolkata", "UTC", "GMT", "GMT+05:30", "GMT-03:30", "PST", "EST",
        "Europe/Dublin", "Asia/Shanghai", "Pacific/Auckland", "America/St_Johns", "Asia/Kathmandu",
        "Asia/Dubai", "Africa/Casablanca",
    };

    // Zones where the fields, and the zone names read, are checked too.
    static final String[] FIELD_ZONES = {"America/Los_Angeles", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"};
    static final String[] NAME_ZONES = {
        "America/Los_Angeles", "Australia/Lord_Howe", "UTC", "Europe/London", "Europe/Dublin",
        "Asia/Shanghai", "Asia/Kolkata", "America/Sao_Paulo", "GMT+05:30", "EST",
    };

    // Written in every zone at the zone instants and around every change
    // of offset; parsed back when marked.
    static final String[][] ZONE_PATTERNS = {
        {"yyyy-MM-dd'T'HH:mm:ss", ""},
        {"yyyy-MM-dd'T'HH:mm:ss.SSS z", "parse"},
        {"yyyy-MM-dd HH:mm:ss zzzz", "parse"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", ""},
        {"Z X XX", ""},
    };
    static final String[] ZONE_INSTANTS = {"2026-01-15T12:34:56.789Z", "2026-07-15T12:34:56.789Z", "2040-07-01T00:00:00Z"};

    // Written in the field zones at the fixed instants; parsed back when
    // marked.
    static final String[][] FIELD_PATTERNS = {
        {"EEE, d MMM yyyy HH:mm:ss Z", "parse"},
        {"yyyy.MM.dd G 'at' HH:mm:ss z", "parse"},
        {"yyMMddHHmmssZ", "parse"},
        {"yyyyy.MMMMM.dd GGG hh:mm aaa", "parse"},
        {"EEEE, MMMM d, yyyy h:mm:ss.SSS a zzzz", "parse"},
        {"dd MMM yy kk:mm:ss", "parse"},
        {"YYYY-'W'ww-u HH:mm", "parse"},
        {"yyyy D HH:mm", "parse"},
        {"EEE, MMM d, ''yy", ""},
        {"h:mm a", ""},
        {"hh 'o''clock' a, zzzz", ""},
        {"K:mm a, z", ""},
        {"H k K h a", ""},
        {"D DDD w ww W F u E EEEE", ""},
        {"y yy yyy yyyyyy Y YY YYYY G", ""},
        {"M MM MMM MMMM L LL LLL LLLL", ""},
        {"s.S ss.SS ss.SSS ss.SSSS", ""},
        {"z zz zzz zzzz Z ZZ X XX XXX", ""},
    };

    static final String[] FIXED_INSTANTS = {
        "2001-07-04T19:08:56.235Z", // the JDK documentation's example
        "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59.005Z",
        "2004-12-31T23:00:00Z",
        "2005-01-01T12:00:00Z",
        "2001-12-31T12:00:00Z",
        "2026-01-15T12:34:56.789Z",
        "2026-07-15T12:34:56.789Z",
        "2026-02-01T10:00:00Z",
        "2026-03-31T10:00:00Z",
        "2040-07-01T00:00:00Z",
        "2040-12-25T00:00:00Z",
    };

    // Zone names read with the z letter in every zone, winter and summer.
    static final String[] NAMES = {
        "PST", "PDT", "Pacific Daylight Time", "CST", "CDT", "EST", "MST", "HST", "IST",
        "India Standard Time", "Irish Standard Time", "IDT", "BST", "GMT", "Greenwich Mean Time", "UTC",
        "CET", "CEST", "Central European Summer Time", "WEST", "LHST", "LHDT", "Lord Howe Daylight Time",
        "AEST", "NZDT", "BRT", "BRST", "JST", "GST", "GMT+05:30", "GMT-08:00", "+0530", "pdt", "Mars Time",
    };

    // Patterns and values read in America/Los_Angeles and UTC.
    static final String[][] PARSES = {
        {"yyyy-MM-dd hh:mm a", "2026-01-02 12:30 AM"},
        {"yyyy-MM-dd hh:mm a", "2026-01-02 12:30 PM"},
        {"yyyy-MM-dd h:mm a", "2026-01-02 1:30 pm"},
        {"yyyy-MM-dd K:mm a", "2026-01-02 0:30 PM"},
        {"yyyy-MM-dd h:mm", "2026-01-02 11:30"},
        {"yyyy-MM-dd kk:mm", "2026-01-02 24:00"},
        {"yyyy-MM-dd HH:mm a", "2026-01-02 13:00 AM"},
        {"yy-MM-dd", "68-01-02"},
        {"yy-MM-dd", "69-01-02"},
        {"yy-MM-dd", "00-01-02"},
        {"yy-MM-dd", "1901-01-02"},
        {"y-MM-dd", "01-01-02"},
        {"y-MM-dd", "7-01-02"},
        {"yyyy-MM-dd", "07-01-02"},
        {"yyyyMMddHHmmss", "20260102030405"},
        {"yyyy-MM-dd HH:mm", "2026-01-02   3:04"},
        {"dd MMM yyyy", "02 JANUARY 2026"},
        {"dd MMMM yyyy", "02 Jan 2026"},
        {"E dd MMM yyyy", "Friday 02 Jan 2026"},
        {"yyyy-MM-dd", "2024-02-29"},
        {"yyyy D", "2001 185"},
        {"yyyy-MM W E", "2001-07 1 Wed"},
        {"yyyy-MM W E", "2001-07 0 Sun"},
        {"yyyy-MM F E", "2001-07 2 Wed"},
        {"YYYY-'W'ww-u", "2004-W53-6"},
        {"YYYY-'W'ww-u", "2002-W01-1"},
        {"yyyy-MM-dd G", "0044-03-15 BC"},
        {"EEE yyyy-MM-dd D w u", "Wed 2001-07-04 185 27 3"},
        {"yyyy-MM-dd'T'HH:mm:ss.SSS", "2026-01-02T03:04:05.123"},
        {"yyyy-MM-dd'T'HH:mm:ssXXX", "2026-07-04T13:45:07+02:00"},
        {"yyyy-MM-dd'T'HH:mm:ssX", "2026-07-04T13:45:07Z"},
        {"yyyy-MM-dd'T'HH:mm:ssX", "2026-07-04T13:45:07-07"},
        {"yyyy-MM-dd'T'HH:mm:ssXX", "2026-07-04T13:45:07+0530"},
        {"yyyy-MM-dd'T'HH:mm:ssZ", "2026-07-04T13:45:07-0700"},
        {"yyyy-MM-dd'T'HH:mm:ssZ", "2026-07-04T13:45:07GMT+05:30"},
        {"h:mm a", "12:08 PM"},
        {"K:mm a, z", "0:08 PM, PDT"},
        {"hh 'o''clock' a, zzzz", "12 o'clock PM, Pacific Daylight Time"},
        {"yyyy-MM-dd", "2026/01/02"},
        {"yyyy-MM-dd", ""},
        {"dd MMM yyyy", "02 Foo 2026"},
        {"hh a", "12 XM"},
        {"yyyy G", "2001 CE"},
    };

    static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java GenTable.java DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        writeTable(dir.resolve("testdata/jdk/table.tsv"));
        writeZoneNames(dir.resolve("zonenames.tsv"));
    }

    static SimpleDateFormat format(String pattern, String zone) {
        SimpleDateFormat f = new SimpleDateFormat(pattern, Locale.US);
        TimeZone tz = TimeZone.getTimeZone(zone);
        f.setTimeZone(tz);
        Calendar c = f.getCalendar();
        c.setFirstDayOfWeek(Calendar.MONDAY);
        c.setMinimalDaysInFirstWeek(4);
        c.clear();
        c.set(1969, Calendar.JANUARY, 1);
        f.set2DigitYearStart(c.getTime());
        return f;
    }

    static String parse(String pattern, String zone, String value) {
        try {
            return format(pattern, zone).parse(value).toInstant().toString();
        } catch (ParseException e) {
            return "error";
        }
    }

    static List<Instant> transitions(String zone) {
        List<Instant> out = new ArrayList<>();
        ZoneRules rules = TimeZone.getTimeZone(zone).toZoneId().getRules();
        Instant from = Instant.parse(zone.equals("America/Sao_Paulo") ? "2018-01-01T00:00:00Z" : "2026-01-01T00:00:00Z");
        Instant to = from.plusSeconds(366L * 86400);
        for (ZoneOffsetTransition t = rules.nextTransition(from); t != null && t.getInstant().isBefore(to);
                t = rules.nextTransition(t.getInstant())) {
            out.add(t.getInstant());
        }
        return out;
    }

    static void addFormats(Set<String> rows, String zone, String[][] patterns, Instant at) {
        for (String[] p : patterns) {
            String s = format(p[0], zone).format(Date.from(at));
            rows.add(String.join("\t", "format", zone, p[0], at.toString(), s));
            if (!p[1].isEmpty()) {
                rows.add(String.join("\t", "parse", zone, p[0], s, parse(p[0], zone, s)));
            }
        }
    }

    static void writeTable(Path path) throws IOException {
        Set<String> rows = new LinkedHashSet<>();
        for (String zone : ZONES) {
            List<Instant> instants = new ArrayList<>();
            for (String at : ZONE_INSTANTS) {
                instants.add(Instant.parse(at));
            }
            for (Instant t : transitions(zone)) {
                instants.add(t.minusMillis(1));
                instants.add(t);
                instants.add(t.plusSeconds(1800));
            }
            for (Instant at : instants) {
                addFormats(rows, zone, ZONE_PATTERNS, at);
            }
            if (List.of(FIELD_ZONES).contains(zone)) {
                for (String at : FIXED_INSTANTS) {
                    addFormats(rows, zone, FIELD_PATTERNS, Instant.parse(at));
                }
            }
            // Wall times around each change of offset: in a gap, in an
            // overlap, and either side.
            ZoneRules rules = TimeZone.getTimeZone(zone).toZoneId().getRules();
            for (Instant t : transitions(zone)) {
                ZoneOffsetTransition tr = rules.previousTransition(t.plusMillis(1));
                LocalDateTime before = tr.getDateTimeBefore(), after = tr.getDateTimeAfter();
                LocalDateTime lo = before.isBefore(after) ? before : after;
                LocalDateTime hi = before.isBefore(after) ? after : before;
                long gap = java.time.Duration.between(lo, hi).toMinutes();
                for (LocalDateTime w : List.of(lo.minusMinutes(30), lo, lo.plusMinutes(gap / 2), hi, hi.plusMinutes(30))) {
                    String s = WALL.format(w);
                    rows.add(String.join("\t", "parse", zone, "yyyy-MM-dd'T'HH:mm:ss", s, parse("yyyy-MM-dd'T'HH:mm:ss", zone, s)));
                    TimeZone tz = TimeZone.getTimeZone(zone);
                    for (String name : new String[] {
                            tz.getDisplayName(false, TimeZone.SHORT, Locale.US), tz.getDisplayName(false, TimeZone.LONG, Locale.US),
                            tz.getDisplayName(true, TimeZone.SHORT, Locale.US), tz.getDisplayName(true, TimeZone.LONG, Locale.US)}) {
                        String v = s.replace('T', ' ') + " " + name;
                        rows.add(String.join("\t", "parse", zone, "yyyy-MM-dd HH:mm:ss z", v, parse("yyyy-MM-dd HH:mm:ss z", zone, v)));
                    }
                }
            }
            for (String day : new String[] {"2026-01-15 12:00", "2026-07-15 12:00"}) {
                for (String name : List.of(NAME_ZONES).contains(zone) ? NAMES : new String[0]) {
                    String v = day + " " + name;
                    rows.add(String.join("\t", "parse", zone, "yyyy-MM-dd HH:mm z", v, parse("yyyy-MM-dd HH:mm z", zone, v)));
                }
            }
        }
        for (String zone : new String[] {"America/Los_Angeles", "UTC"}) {
            for (String[] p : PARSES) {
                rows.add(String.join("\t", "parse", zone, p[0], p[1], parse(p[0], zone, p[1])));
            }
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8))) {
            w.println("# What java.text.SimpleDateFormat does, from javatime/testdata/jdk/GenTable.java");
            w.println("# on Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                    + "), tzdata " + tzdataVersion() + ". Do not edit: regenerate.");
            w.println("# kind\tzone\tpattern\tinput\twant");
            for (String r : rows) {
                w.println(r);
            }
        }
    }

    // writeZoneNames writes one line per set of names the JDK gives zones,
    // in the order its parser tries zones: long standard, short standard,
    // long daylight and short daylight name, then the zone IDs with those
    // names. Zones the JDK names only by offset (GMT-05:00) are left out.
    static void writeZoneNames(Path path) throws IOException {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        List<String[]> zones = new ArrayList<>(List.of(DateFormatSymbols.getInstance(Locale.US).getZoneStrings()));
        Set<String> seen = new LinkedHashSet<>();
        for (String[] z : zones) {
            seen.add(z[0]);
        }
        for (String id : TimeZone.getAvailableIDs()) {
            if (!seen.contains(id)) {
                TimeZone tz = TimeZone.getTimeZone(id);
                zones.add(new String[] {id, tz.getDisplayName(false, TimeZone.LONG, Locale.US),
                    tz.getDisplayName(false, TimeZone.SHORT, Locale.US), tz.getDisplayName(true, TimeZone.LONG, Locale.US),
                    tz.getDisplayName(true, TimeZone.SHORT, Locale.US)});
            }
        }
        for (String[] z : zones) {
            if (z[1].startsWith("GMT+") || z[1].startsWith("GMT-")) {
                continue;
            }
            sets.computeIfAbsent(String.join("\t", z[1], z[2], z[3], z[4]), k -> new ArrayList<>()).add(z[0]);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8))) {
            w.println("# Zone names of java.text.DateFormatSymbols in Locale.US, from javatime/testdata/jdk/GenTable.java");
            w.println("# on Java " + System.getProperty("java.version") + ". Do not edit: regenerate.");
            w.println("# long standard\tshort standard\tlong daylight\tshort daylight\tzone IDs, first tried first");
            for (Map.Entry<String, List<String>> e : sets.entrySet()) {
                w.println(e.getKey() + "\t" + String.join(" ", e.getValue()));
            }
        }
    }

    static String tzdataVersion() {
        try {
            return java.time.zone.ZoneRulesProvider.getVersions("UTC").lastEntry().getKey();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
