#include <gtest/gtest.h>

#include <random>

#include "cron/cron.hpp"

using namespace flowctl::cron;

namespace {

CronSpec must_parse(std::string_view text) {
    std::string error;
    auto spec = parse_cron(text, &error);
    EXPECT_TRUE(spec) << text << ": " << error;
    return spec.value_or(CronSpec{});
}

std::string error_of(std::string_view text) {
    std::string error;
    auto spec = parse_cron(text, &error);
    EXPECT_FALSE(spec) << text << " parsed unexpectedly";
    return error;
}

template <size_t N>
std::vector<int> bits(const std::bitset<N>& b) {
    std::vector<int> out;
    for (size_t i = 0; i < N; ++i)
        if (b[i]) out.push_back(static_cast<int>(i));
    return out;
}

using V = std::vector<int>;

}  // namespace

TEST(CronParse, FiveFieldWildcardsMatchEverythingAtSecondZero) {
    auto s = must_parse("* * * * *");
    EXPECT_EQ(bits(s.seconds), V{0});
    EXPECT_EQ(s.minutes.count(), 60u);
    EXPECT_EQ(s.hours.count(), 24u);
    EXPECT_EQ(bits(s.days_of_month).front(), 1);
    EXPECT_EQ(s.days_of_month.count(), 31u);
    EXPECT_EQ(s.months.count(), 12u);
    EXPECT_FALSE(s.months[0]);
    EXPECT_EQ(bits(s.days_of_week), (V{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_FALSE(s.dom_restricted);
    EXPECT_FALSE(s.dow_restricted);
    EXPECT_TRUE(s.hour_wildcard);
    EXPECT_FALSE(s.reboot);
}

TEST(CronParse, ListsRangesAndSteps) {
    auto s = must_parse("1,5,7 1-5 10-20/5 */4 5/2");
    EXPECT_EQ(bits(s.minutes), (V{1, 5, 7}));
    EXPECT_EQ(bits(s.hours), (V{1, 2, 3, 4, 5}));
    EXPECT_EQ(bits(s.days_of_month), (V{10, 15, 20}));
    EXPECT_EQ(bits(s.months), (V{1, 5, 9}));
    EXPECT_EQ(bits(s.days_of_week), (V{0, 5}));  // 5/2 is 5,7: FRI and SUN
    EXPECT_FALSE(s.hour_wildcard);
}

TEST(CronParse, StepForms) {
    EXPECT_EQ(bits(must_parse("*/15 * * * *").minutes), (V{0, 15, 30, 45}));
    EXPECT_EQ(bits(must_parse("10-50/10 * * * *").minutes), (V{10, 20, 30, 40, 50}));
    // start/step runs to the end of the field's range
    EXPECT_EQ(bits(must_parse("5/10 * * * *").minutes), (V{5, 15, 25, 35, 45, 55}));
    EXPECT_EQ(bits(must_parse("0 */6 * * *").hours), (V{0, 6, 12, 18}));
    EXPECT_EQ(bits(must_parse("0 0 */10 * *").days_of_month), (V{1, 11, 21, 31}));
    EXPECT_EQ(bits(must_parse("0 0 1 */3 *").months), (V{1, 4, 7, 10}));
    // a step may mix with lists
    EXPECT_EQ(bits(must_parse("0,30-40/5,59 * * * *").minutes), (V{0, 30, 35, 40, 59}));
}

TEST(CronParse, MonthAndDayNamesAnyCaseAlsoInRanges) {
    auto s = must_parse("0 9 * jan,Mar,DEC MON-FRI");
    EXPECT_EQ(bits(s.months), (V{1, 3, 12}));
    EXPECT_EQ(bits(s.days_of_week), (V{1, 2, 3, 4, 5}));
    EXPECT_EQ(bits(must_parse("0 0 * JUN-AUG *").months), (V{6, 7, 8}));
    EXPECT_EQ(bits(must_parse("0 0 * * sat,sun").days_of_week), (V{0, 6}));
    EXPECT_EQ(bits(must_parse("0 0 * * SUN-SAT").days_of_week), (V{0, 1, 2, 3, 4, 5, 6}));
    // SUN closing a range means the Sunday at the end of the week
    EXPECT_EQ(bits(must_parse("0 0 * * FRI-SUN").days_of_week), (V{0, 5, 6}));
    EXPECT_EQ(bits(must_parse("0 0 * * SUN-SUN").days_of_week), (V{0}));
    EXPECT_EQ(bits(must_parse("0 0 * * MON-FRI/2").days_of_week), (V{1, 3, 5}));
}

TEST(CronParse, SevenIsSunday) {
    EXPECT_EQ(bits(must_parse("0 0 * * 7").days_of_week), (V{0}));
    EXPECT_EQ(bits(must_parse("0 0 * * 0").days_of_week), (V{0}));
    EXPECT_EQ(bits(must_parse("0 0 * * 5-7").days_of_week), (V{0, 5, 6}));
    EXPECT_EQ(bits(must_parse("0 0 * * 0-7").days_of_week), (V{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_FALSE(must_parse("0 0 * * 7").days_of_week[7]);
}

TEST(CronParse, QuestionMarkIsWildcardInDayFields) {
    auto s = must_parse("0 12 ? * MON");
    EXPECT_EQ(s.days_of_month.count(), 31u);
    EXPECT_FALSE(s.dom_restricted);
    EXPECT_TRUE(s.dow_restricted);
    auto t = must_parse("0 12 15 * ?");
    EXPECT_TRUE(t.dom_restricted);
    EXPECT_FALSE(t.dow_restricted);
    EXPECT_EQ(t.days_of_week.count(), 7u);
}

TEST(CronParse, SixFieldFormHasSeconds) {
    auto s = must_parse("*/20 30 9 * * *");
    EXPECT_EQ(bits(s.seconds), (V{0, 20, 40}));
    EXPECT_EQ(bits(s.minutes), (V{30}));
    EXPECT_EQ(bits(s.hours), (V{9}));
    EXPECT_EQ(must_parse("* * * * * *").seconds.count(), 60u);
}

TEST(CronParse, Macros) {
    auto expect_same = [](const char* macro, const char* expansion) {
        auto a = must_parse(macro);
        auto b = must_parse(expansion);
        EXPECT_EQ(a.seconds, b.seconds) << macro;
        EXPECT_EQ(a.minutes, b.minutes) << macro;
        EXPECT_EQ(a.hours, b.hours) << macro;
        EXPECT_EQ(a.days_of_month, b.days_of_month) << macro;
        EXPECT_EQ(a.months, b.months) << macro;
        EXPECT_EQ(a.days_of_week, b.days_of_week) << macro;
        EXPECT_EQ(a.dom_restricted, b.dom_restricted) << macro;
        EXPECT_EQ(a.dow_restricted, b.dow_restricted) << macro;
        EXPECT_EQ(a.hour_wildcard, b.hour_wildcard) << macro;
        EXPECT_EQ(a.source, macro);
    };
    expect_same("@yearly", "0 0 1 1 *");
    expect_same("@annually", "0 0 1 1 *");
    expect_same("@monthly", "0 0 1 * *");
    expect_same("@weekly", "0 0 * * 0");
    expect_same("@daily", "0 0 * * *");
    expect_same("@midnight", "0 0 * * *");
    expect_same("@hourly", "0 * * * *");
    EXPECT_TRUE(must_parse("@hourly").hour_wildcard);
    EXPECT_TRUE(must_parse("  @DAILY  ").minutes[0]);

    auto reboot = must_parse("@reboot");
    EXPECT_TRUE(reboot.reboot);
    EXPECT_FALSE(matches(reboot, 0, 0, 0, 1, 1, 0));
}

TEST(CronParse, ExtraWhitespaceAndSourceKeptAsWritten) {
    auto s = must_parse("  0\t 9   * *\tMON  ");
    EXPECT_EQ(bits(s.hours), (V{9}));
    EXPECT_EQ(s.source, "  0\t 9   * *\tMON  ");
}

TEST(CronParse, RestrictedFlagsFollowVixie) {
    auto s = must_parse("0 0 1 * MON");
    EXPECT_TRUE(s.dom_restricted);
    EXPECT_TRUE(s.dow_restricted);
    // A field starting with '*' is unrestricted even with a step, as in Vixie cron.
    auto t = must_parse("0 0 */2 * MON");
    EXPECT_FALSE(t.dom_restricted);
    EXPECT_TRUE(t.dow_restricted);
    // Full explicit range still counts as restricted (Vixie looks at the text, not the set).
    EXPECT_TRUE(must_parse("0 0 1-31 * *").dom_restricted);
}

TEST(CronParse, HourWildcard) {
    EXPECT_TRUE(must_parse("0 * * * *").hour_wildcard);
    EXPECT_TRUE(must_parse("0 */2 * * *").hour_wildcard);
    EXPECT_TRUE(must_parse("0 0 */2 * * *").hour_wildcard);  // 6 fields: hour is the third
    EXPECT_FALSE(must_parse("0 3 * * *").hour_wildcard);
    EXPECT_FALSE(must_parse("0 1-23 * * *").hour_wildcard);
}

TEST(CronMatches, VixieOrRuleWhenBothDayFieldsRestricted) {
    auto s = must_parse("0 0 1 * MON");
    EXPECT_TRUE(matches(s, 0, 0, 0, 1, 7, 3));   // 2026-07-01, a Wednesday: the 1st
    EXPECT_TRUE(matches(s, 0, 0, 0, 8, 6, 1));   // 2026-06-08, a Monday
    EXPECT_FALSE(matches(s, 0, 0, 0, 9, 6, 2));  // neither
    EXPECT_FALSE(matches(s, 0, 1, 0, 1, 7, 3));  // wrong minute

    auto only_monday = must_parse("0 0 * * MON");
    EXPECT_FALSE(matches(only_monday, 0, 0, 0, 1, 7, 3));
    EXPECT_TRUE(matches(only_monday, 0, 0, 0, 8, 6, 1));

    auto only_first = must_parse("0 0 1 * *");
    EXPECT_TRUE(matches(only_first, 0, 0, 0, 1, 7, 3));
    EXPECT_FALSE(matches(only_first, 0, 0, 0, 8, 6, 1));

    // '*/2' leaves day-of-month "unrestricted", so both must match (AND).
    auto odd_mondays = must_parse("0 0 */2 * MON");
    EXPECT_FALSE(matches(odd_mondays, 0, 0, 0, 8, 6, 1));
    EXPECT_TRUE(matches(odd_mondays, 0, 0, 0, 15, 6, 1));
    EXPECT_FALSE(matches(odd_mondays, 0, 0, 0, 1, 7, 3));
}

TEST(CronMatches, SecondsWeekdaySevenAndOutOfRangeArguments) {
    auto s = must_parse("0 0 * * SUN");
    EXPECT_TRUE(matches(s, 0, 0, 0, 5, 7, 0));
    EXPECT_TRUE(matches(s, 0, 0, 0, 5, 7, 7));
    EXPECT_FALSE(matches(s, 1, 0, 0, 5, 7, 0));  // 5 fields fire at second 0 only
    EXPECT_TRUE(matches(must_parse("*/30 * * * * *"), 30, 7, 7, 7, 7, 2));
    for (auto args : std::vector<std::array<int, 6>>{{60, 0, 0, 1, 1, 0},
                                                     {-1, 0, 0, 1, 1, 0},
                                                     {0, 60, 0, 1, 1, 0},
                                                     {0, 0, 24, 1, 1, 0},
                                                     {0, 0, 0, 0, 1, 0},
                                                     {0, 0, 0, 32, 1, 0},
                                                     {0, 0, 0, 1, 13, 0},
                                                     {0, 0, 0, 1, 0, 0},
                                                     {0, 0, 0, 1, 1, 8},
                                                     {0, 0, 0, 1, 1, -1}})
        EXPECT_FALSE(matches(must_parse("* * * * * *"), args[0], args[1], args[2], args[3], args[4], args[5]));
}

TEST(CronErrors, ExactMessages) {
    const std::vector<std::pair<const char*, const char*>> cases = {
        {"* * * *", "cron: expected 5 or 6 fields, got 4"},
        {"* * * * * * *", "cron: expected 5 or 6 fields, got 7"},
        {"61 * * * *", "cron: minute field: 61 is out of range 0-59"},
        {"0 24 * * *", "cron: hour field: 24 is out of range 0-23"},
        {"0 0 0 * *", "cron: day-of-month field: 0 is out of range 1-31"},
        {"0 0 32 * *", "cron: day-of-month field: 32 is out of range 1-31"},
        {"0 0 * 13 *", "cron: month field: 13 is out of range 1-12"},
        {"0 0 * * 8", "cron: day-of-week field: 8 is out of range 0-7"},
        {"60 * * * * *", "cron: second field: 60 is out of range 0-59"},
        {"0 0 1-40 * *", "cron: day-of-month field: 40 is out of range 1-31"},
        {"99999999999999999999 * * * *", "cron: minute field: 99999999999999999999 is out of range 0-59"},
        {"0 0 * * FRU", "cron: day-of-week field: unknown name 'FRU' (did you mean 'FRI'?)"},
        {"0 0 * * mon-fru", "cron: day-of-week field: unknown name 'fru' (did you mean 'FRI'?)"},
        {"0 0 * FEV *", "cron: month field: unknown name 'FEV' (did you mean 'FEB'?)"},
        {"0 0 * * XYZ", "cron: day-of-week field: unknown name 'XYZ' (expected SUN-SAT or 0-7)"},
        {"0 0 * * MONDAY", "cron: day-of-week field: unknown name 'MONDAY' (expected SUN-SAT or 0-7)"},
        {"0 */0 * * *", "cron: hour field: step must be >= 1"},
        {"*/90 * * * *", "cron: minute field: step 90 is out of range 1-59"},
        {"*/x * * * *", "cron: minute field: invalid step 'x'"},
        {"*/ * * * *", "cron: minute field: missing step after '/' in '*/'"},
        {"/5 * * * *", "cron: minute field: missing value before '/' in '/5'"},
        {"0 5-2 * * *", "cron: range 5-2 is backwards in the hour field"},
        {"0 0 * * FRI-MON", "cron: range FRI-MON is backwards in the day-of-week field"},
        {"0 0 * DEC-JAN *", "cron: range DEC-JAN is backwards in the month field"},
        {"1- * * * *", "cron: minute field: missing end of range in '1-'"},
        {"-5 * * * *", "cron: minute field: missing start of range in '-5'"},
        {"1,,2 * * * *", "cron: minute field: empty item in list '1,,2'"},
        {"1, * * * *", "cron: minute field: empty item in list '1,'"},
        {"MON * * * *", "cron: minute field: invalid value 'MON' (expected a number 0-59)"},
        {"5x * * * *", "cron: minute field: invalid value '5x' (expected a number 0-59)"},
        {"1-2-3 * * * *", "cron: minute field: invalid value '2-3' (expected a number 0-59)"},
        {"? * * * *", "cron: minute field: '?' is only allowed in the day-of-month and day-of-week fields"},
        {"0 0 ?/2 * *", "cron: day-of-month field: '?' cannot take a step"},
        {"@dayly", "cron: unknown macro '@dayly' (did you mean '@daily'?)"},
        {"@hourli", "cron: unknown macro '@hourli' (did you mean '@hourly'?)"},
        {"@sometimes", "cron: unknown macro '@sometimes'"},
        {"@daily 5", "cron: unexpected '5' after @daily"},
        {"", "cron: empty expression"},
        {" \t\n ", "cron: empty expression"},
    };
    for (const auto& [input, message] : cases) EXPECT_EQ(error_of(input), message) << "input: '" << input << "'";
}

TEST(CronErrors, HugeInputIsRefused) {
    std::string huge(1'000'000, '*');
    EXPECT_EQ(error_of(huge), "cron: expression is too long (1000000 characters, at most 1024)");
    std::string many_fields;
    for (int i = 0; i < 400; ++i) many_fields += "* ";
    EXPECT_EQ(error_of(many_fields), "cron: expected 5 or 6 fields, got 400");
}

TEST(CronErrors, ErrorPointerIsOptional) {
    EXPECT_FALSE(parse_cron("nope"));
    EXPECT_TRUE(parse_cron("0 0 * * *"));
}

TEST(CronErrors, RandomGarbageNeverCrashesAndAlwaysExplains) {
    const std::string alphabet = "0123456789*/,-? \t@ADEFJMNOSTUWacdeilnorsuy\x01\xff";
    std::mt19937 rng(12345);
    for (int i = 0; i < 20'000; ++i) {
        std::string text;
        size_t len = rng() % 40;
        for (size_t j = 0; j < len; ++j) text += alphabet[rng() % alphabet.size()];
        std::string error;
        auto spec = parse_cron(text, &error);
        if (spec) {
            EXPECT_EQ(spec->source, text);
        } else {
            EXPECT_EQ(error.rfind("cron: ", 0), 0u) << text;
        }
    }
}

TEST(CronDescribe, ReadableSummaries) {
    EXPECT_EQ(describe(must_parse("0 * * * *")), "at minute 0 past every hour");
    EXPECT_EQ(describe(must_parse("* * * * *")), "every minute");
    EXPECT_EQ(describe(must_parse("30 9 * * MON-FRI")), "at 09:30 on MON-FRI");
    EXPECT_EQ(describe(must_parse("*/15 * * * *")), "at minute 0,15,30,45 past every hour");
    EXPECT_EQ(describe(must_parse("0 0 1 * MON")), "at 00:00 on day-of-month 1 or on MON");
    EXPECT_EQ(describe(must_parse("0 0 29 2 *")), "at 00:00 on day-of-month 29 in FEB");
    EXPECT_EQ(describe(must_parse("0 8-18 * * *")), "at minute 0 past hour 8-18");
    EXPECT_EQ(describe(must_parse("*/10 * * * * *")), "at second 0,10,20,30,40,50 of every minute");
    EXPECT_EQ(describe(must_parse("@reboot")), "at startup");
}
