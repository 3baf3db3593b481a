#include "knowledge/evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <numeric>
#include <sstream>

namespace ab::knowledge {

namespace {

using json = nlohmann::json;

struct rate {
    std::size_t hit = 0;
    std::size_t total = 0;
    void add(bool ok)
    {
        ++total;
        hit += ok ? 1 : 0;
    }
    double value() const { return total == 0 ? 0.0 : static_cast<double>(hit) / static_cast<double>(total); }
    json to_json() const { return {{"accuracy", value()}, {"correct", hit}, {"total", total}}; }
};

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(idx, v.size() - 1)];
}

bool correct(const labelled_item& it, intent predicted)
{
    if (predicted == it.label)
        return true;
    return std::find(it.acceptable.begin(), it.acceptable.end(), predicted) != it.acceptable.end();
}

} // namespace

std::vector<labelled_item> parse_labelled(std::string_view jsonl, const std::string& source_name)
{
    std::vector<labelled_item> items;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= jsonl.size()) {
        const auto nl = jsonl.find('\n', pos);
        const std::string_view line = jsonl.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? jsonl.size() + 1 : nl + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        const std::string where = source_name + ":" + std::to_string(line_no);
        const json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object())
            throw content_error("[eval.bad_line] " + where + ": not a JSON object");
        labelled_item it;
        try {
            it.id = j.value("id", "line-" + std::to_string(line_no));
            it.text = j.at("text").get<std::string>();
            const auto label = intent_from_name(j.at("intent").get<std::string>());
            if (!label)
                throw content_error("[eval.unknown_intent] " + where + ": unknown intent '" + j.at("intent").get<std::string>() + "'");
            it.label = *label;
            it.language = lang_from_code(j.value("lang", "en"));
            if (auto a = j.find("acceptable"); a != j.end() && a->is_array())
                for (const auto& x : *a)
                    if (auto i = intent_from_name(x.get<std::string>()))
                        it.acceptable.push_back(*i);
            it.ambiguous = j.value("ambiguous", false);
            it.speaker = j.value("role", "user") == "admin" ? role::admin : role::user;
            if (auto d = j.find("domain"); d != j.end() && d->is_string())
                it.domain = d->get<std::string>();
        } catch (const json::exception& e) {
            throw content_error("[eval.bad_line] " + where + ": " + e.what());
        }
        items.push_back(std::move(it));
    }
    return items;
}

std::vector<labelled_item> load_labelled(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw content_error("[eval.missing_file] " + file.string() + ": cannot open");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_labelled(ss.str(), file.filename().string());
}

std::vector<training_example> to_training(const std::vector<labelled_item>& items)
{
    std::vector<training_example> out;
    out.reserve(items.size());
    for (const auto& it : items)
        out.push_back(training_example{it.text, it.language, it.label, it.speaker, 1.0f, it.ambiguous});
    return out;
}

void set_engine_parameter(engine_options& opt, std::string_view assignment)
{
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos)
        throw content_error("[eval.bad_parameter] expected name=value, got '" + std::string(assignment) + "'");
    const std::string name(assignment.substr(0, eq));
    const std::string value(assignment.substr(eq + 1));
    double v = 0;
    try {
        std::size_t used = 0;
        v = std::stod(value, &used);
        if (used != value.size())
            throw std::invalid_argument(value);
    } catch (const std::exception&) {
        throw content_error("[eval.bad_parameter] '" + value + "' is not a number");
    }
    const auto f = static_cast<float>(v);
    if (name == "temperature" && v > 0)
        opt.temperature = f;
    else if (name == "out_of_scope_threshold" && v >= 0 && v <= 1)
        opt.out_of_scope_threshold = f;
    else if (name == "out_of_scope_floor" && v >= 0 && v <= 1)
        opt.out_of_scope_floor = f;
    else if (name == "ambiguity_threshold" && v >= 0 && v <= 1)
        opt.ambiguity_threshold = f;
    else if (name == "ambiguity_ratio" && v >= 0 && v <= 1)
        opt.ambiguity_ratio = f;
    else if (name == "epochs" && v >= 1 && v <= 200)
        opt.training.epochs = static_cast<int>(v);
    else if (name == "learning_rate" && v > 0)
        opt.training.learning_rate = f;
    else
        throw content_error("[eval.bad_parameter] unknown parameter or value out of range: " + std::string(assignment));
}

json evaluate(const content& c, const std::vector<labelled_item>& items, const eval_options& opt)
{
    const int folds = std::max(1, opt.folds);
    // Stratified, deterministic folds: order by (intent, language, id), deal round-robin.
    std::vector<std::size_t> order(items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = items[a];
        const auto& y = items[b];
        return std::tie(x.label, x.language, x.id) < std::tie(y.label, y.language, y.id);
    });
    std::vector<int> fold_of(items.size(), 0);
    for (std::size_t k = 0; k < order.size(); ++k)
        fold_of[order[k]] = static_cast<int>(k % static_cast<std::size_t>(folds));

    std::vector<classification> predicted(items.size());
    std::vector<double> latency_us;
    latency_us.reserve(items.size());
    double train_ms_total = 0;
    std::size_t train_examples = 0;
    for (int f = 0; f < folds; ++f) {
        engine_options eo = opt.engine;
        if (folds > 1)
            for (std::size_t i = 0; i < items.size(); ++i)
                if (fold_of[i] != f)
                    eo.extra.push_back(training_example{items[i].text, items[i].language, items[i].label, items[i].speaker, 1.0f,
                                                        items[i].ambiguous});
        const classifier model = classifier::train(c, eo);
        train_ms_total += model.training_ms();
        train_examples = model.training_examples();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (folds > 1 && fold_of[i] != f)
                continue;
            const auto t0 = std::chrono::steady_clock::now();
            predicted[i] = model.classify(items[i].text, "");
            latency_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
        }
    }

    rate overall, lang_id, role_acc, domain_acc;
    std::map<std::string, rate> per_lang, per_intent;
    std::size_t ext_guest = 0, guest_ext = 0;
    std::size_t oos_tp = 0, oos_fp = 0, oos_fn = 0, in_scope = 0, in_scope_to_oos = 0;
    std::size_t amb_tp = 0, amb_fp = 0, amb_fn = 0;
    std::map<std::string, std::map<std::string, std::size_t>> confusion;
    // Calibration: expected calibration error over 10 confidence bins.
    std::array<double, 10> bin_conf{}, bin_acc{};
    std::array<std::size_t, 10> bin_n{};
    json errors = json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        const auto& p = predicted[i];
        const bool ok = correct(it, p.label);
        overall.add(ok);
        per_lang[std::string(lang_code(it.language))].add(ok);
        per_intent[std::string(intent_name(it.label))].add(ok);
        lang_id.add(p.language == it.language);
        role_acc.add(p.speaker == it.speaker);
        domain_acc.add(p.domain == it.domain);
        ++confusion[std::string(intent_name(it.label))][std::string(intent_name(p.label))];
        if (!ok && it.label == intent::external_access && p.label == intent::guest_access)
            ++ext_guest;
        if (!ok && it.label == intent::guest_access && p.label == intent::external_access)
            ++guest_ext;
        const bool is_oos = it.label == intent::out_of_scope;
        const bool said_oos = p.label == intent::out_of_scope;
        oos_tp += is_oos && said_oos;
        oos_fp += !is_oos && said_oos;
        oos_fn += is_oos && !said_oos;
        in_scope += !is_oos;
        in_scope_to_oos += !is_oos && said_oos;
        amb_tp += it.ambiguous && p.ambiguous;
        amb_fp += !it.ambiguous && p.ambiguous;
        amb_fn += it.ambiguous && !p.ambiguous;
        const auto bin = std::min<std::size_t>(9, static_cast<std::size_t>(p.confidence * 10.0f));
        bin_conf[bin] += p.confidence;
        bin_acc[bin] += ok ? 1.0 : 0.0;
        ++bin_n[bin];
        if (opt.list_errors && (!ok || p.language != it.language))
            errors.push_back({{"id", it.id},
                              {"text", it.text},
                              {"expected", intent_name(it.label)},
                              {"predicted", intent_name(p.label)},
                              {"confidence", p.confidence},
                              {"lang", lang_code(it.language)},
                              {"predicted_lang", lang_code(p.language)}});
    }
    double ece = 0;
    for (std::size_t b = 0; b < bin_n.size(); ++b)
        if (bin_n[b] > 0)
            ece += std::abs(bin_acc[b] - bin_conf[b]) / static_cast<double>(items.size());

    auto ratio = [](std::size_t a, std::size_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); };
    json report;
    report["items"] = items.size();
    report["folds"] = folds;
    report["accuracy"] = overall.value();
    report["correct"] = overall.hit;
    json pl = json::object();
    for (const auto& [k, v] : per_lang)
        pl[k] = v.to_json();
    report["per_language"] = pl;
    json pi = json::object();
    for (const auto& [k, v] : per_intent)
        pi[k] = v.to_json();
    report["per_intent"] = pi;
    report["external_guest_confusions"] = ext_guest + guest_ext;
    report["external_predicted_as_guest"] = ext_guest;
    report["guest_predicted_as_external"] = guest_ext;
    report["out_of_scope"] = {{"precision", ratio(oos_tp, oos_tp + oos_fp)},
                              {"recall", ratio(oos_tp, oos_tp + oos_fn)},
                              {"in_scope_sent_out_of_scope", ratio(in_scope_to_oos, in_scope)},
                              {"in_scope_sent_out_of_scope_count", in_scope_to_oos}};
    report["ambiguity"] = {{"precision", ratio(amb_tp, amb_tp + amb_fp)}, {"recall", ratio(amb_tp, amb_tp + amb_fn)}};
    report["language_id_accuracy"] = lang_id.value();
    report["role_accuracy"] = role_acc.value();
    report["domain_accuracy"] = domain_acc.value();
    report["calibration_ece"] = ece;
    report["latency_us"] = {{"p50", percentile(latency_us, 0.50)}, {"p99", percentile(latency_us, 0.99)},
                            {"max", latency_us.empty() ? 0.0 : *std::max_element(latency_us.begin(), latency_us.end())}};
    report["training"] = {{"examples", train_examples}, {"ms_per_model", train_ms_total / folds}};
    report["confusion"] = confusion;
    if (opt.list_errors)
        report["errors"] = errors;
    return report;
}

std::string format_report(const json& r)
{
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(1);
    auto pct = [](double v) { return v * 100.0; };
    out << "items " << r["items"].get<std::size_t>() << ", " << r["folds"].get<int>()
        << (r["folds"].get<int>() > 1 ? "-fold cross-validation" : " model (built-in content only)") << "\n";
    out << "accuracy              " << pct(r["accuracy"].get<double>()) << " %  (" << r["correct"].get<std::size_t>() << "/"
        << r["items"].get<std::size_t>() << ")\n";
    out << "per language:\n";
    for (const auto& [k, v] : r["per_language"].items())
        out << "  " << k << "  " << pct(v["accuracy"].get<double>()) << " %  (" << v["correct"].get<std::size_t>() << "/"
            << v["total"].get<std::size_t>() << ")\n";
    out << "per intent:\n";
    for (const auto& [k, v] : r["per_intent"].items()) {
        out << "  " << k;
        for (std::size_t pad = k.size(); pad < 18; ++pad)
            out << ' ';
        out << pct(v["accuracy"].get<double>()) << " %  (" << v["correct"].get<std::size_t>() << "/"
            << v["total"].get<std::size_t>() << ")\n";
    }
    out << "external<->guest confusions  " << r["external_guest_confusions"].get<std::size_t>() << "  (external→guest "
        << r["external_predicted_as_guest"].get<std::size_t>() << ", guest→external "
        << r["guest_predicted_as_external"].get<std::size_t>() << ")\n";
    const auto& o = r["out_of_scope"];
    out << "out of scope          precision " << pct(o["precision"].get<double>()) << " %, recall "
        << pct(o["recall"].get<double>()) << " %, in-scope sent out of scope " << pct(o["in_scope_sent_out_of_scope"].get<double>())
        << " % (" << o["in_scope_sent_out_of_scope_count"].get<std::size_t>() << ")\n";
    out << "ambiguity flag        precision " << pct(r["ambiguity"]["precision"].get<double>()) << " %, recall "
        << pct(r["ambiguity"]["recall"].get<double>()) << " %\n";
    out << "language id " << pct(r["language_id_accuracy"].get<double>()) << " %, role " << pct(r["role_accuracy"].get<double>())
        << " %, domain " << pct(r["domain_accuracy"].get<double>()) << " %, calibration ECE "
        << std::setprecision(3) << r["calibration_ece"].get<double>() << std::setprecision(1) << "\n";
    out.precision(1);
    out << "latency per query     p50 " << r["latency_us"]["p50"].get<double>() << " us, p99 "
        << r["latency_us"]["p99"].get<double>() << " us\n";
    out << "training              " << r["training"]["examples"].get<std::size_t>() << " examples, "
        << r["training"]["ms_per_model"].get<double>() << " ms per model\n";
    if (r.contains("errors"))
        for (const auto& e : r["errors"])
            out << "  x " << e["id"].get<std::string>() << " [" << e["lang"].get<std::string>() << "→"
                << e["predicted_lang"].get<std::string>() << "] " << e["expected"].get<std::string>() << " → "
                << e["predicted"].get<std::string>() << " (" << e["confidence"].get<double>() << "): "
                << e["text"].get<std::string>() << "\n";
    return out.str();
}

} // namespace ab::knowledge
