#!/usr/bin/env python3
"""Build the bundled data snapshot of llmflation from ``../shared/data``.

Re-runnable and deterministic: the same inputs give byte-identical Parquet files and the
same ``MANIFEST.json`` (sha256 per file). Each table keeps the raw columns of its source
(the panel layer does all cleaning); Epoch's all-models table keeps only the columns the
analyses need. Provenance (original URL, repository@commit, licence, vintage, rows,
sha256) is written per file into ``src/llmflation/data/MANIFEST.json``.

Usage::

    python scripts/build_snapshot.py --shared ../shared/data
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path(__file__).resolve().parent.parent / "src" / "llmflation" / "data"
MAX_BYTES = 15 * 1024 * 1024

EPOCH_CC = "CC BY 4.0 (Epoch AI; cite \u201cEpoch AI, \u2018Data on AI Models\u2019, epoch.ai\u201d)"
EPOCH_ZIP = "georgetown-cset/aixbiodata@61756292a23c1ea7ae800c83b5f85a3e0405d868:data/ai_models.zip"
LBE = "epoch-research/llm-benchmark-efficiency"
LBE_LIC = "Epoch AI data CC BY 4.0 (no LICENSE file in repo; Artificial Analysis-derived columns: terms of Artificial Analysis)"
BS = "epoch-research/benchmark-stitching@f87d3cc8e8a8f8471be475ebce58fb9a73b4e756"
BS_LIC = "Repository MIT (c) 2025 Epoch AI; Benchmarking Hub data CC BY 4.0; external tables cite third-party leaderboards"
CL = "price_history/changelogs"
TCT = "epoch-research/training-cost-trends@263c40a159307e917213d1dc433c617e47d55bfe"

EPOCH_MODEL_COLUMNS = [
    "Model", "Domain", "Task", "Organization", "Publication date", "Parameters",
    "Training compute (FLOP)", "Training dataset size (total)", "Training time (hours)",
    "Training hardware", "Confidence", "Model accessibility", "Country (of organization)",
    "Base model", "Finetune compute (FLOP)", "Hardware quantity", "Hardware utilization (MFU)",
    "Last modified", "Organization categorization", "Frontier model", "Training chip-hours",
    "Training compute cost (2023 USD)", "Notability criteria", "Hugging Face developer id",
    "Post-training compute (FLOP)", "Open model weights?", "Link",
]


@dataclass
class Spec:
    name: str
    path: str
    url: str
    taken_from: str
    licence: str
    date_col: str | None = None
    columns: list[str] | None = None
    kind: str = "csv"  # csv | json (raw payload, gzipped) | records (JSON list → Parquet)
    extra: dict[str, str] = field(default_factory=dict)


def specs() -> list[Spec]:
    s = [
        Spec("epoch_models", "epoch_ai_models/all_ai_models.csv", "https://epoch.ai/data/ai_models.zip",
             EPOCH_ZIP, EPOCH_CC, "Publication date", EPOCH_MODEL_COLUMNS),
        Spec("epoch_api_prices", "epoch_inference_prices/api_prices_full_view.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@1eee4d291d5cb4449becab901c873d4fb790fade:data/API prices - full view.csv", LBE_LIC, "Price date"),
        Spec("epoch_aa_data", "epoch_inference_prices/aa_data.csv", "https://artificialanalysis.ai (compiled by Epoch AI)",
             f"{LBE}@f0b3fab7b90afa37147cf29c39439a169ebdd914:data/aa_data.csv", LBE_LIC, "Release Date"),
        Spec("epoch_aa_data_with_math5", "epoch_inference_prices/aa_data_with_math5.csv",
             "https://artificialanalysis.ai + https://epoch.ai/benchmarks",
             f"{LBE}@9a6222fba5c3286caccd90cf139934ed1cc8655f:data/aa_data_with_math5.csv", LBE_LIC, "Release Date"),
        Spec("epoch_price_not_in_aa", "epoch_inference_prices/epoch_ai_price_data_not_in_aa.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@82da4d741e6bdee879c1a302e3e63cc9a81134f4:data/epoch_ai_price_data_not_in_aa.csv", LBE_LIC, "Release Date"),
        Spec("epoch_price_not_in_aa_with_benchmarks", "epoch_inference_prices/epoch_ai_price_data_not_in_aa_with_benchmarks.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@b128bec6a736bc2862306800b036a532e74c7b5d:data/epoch_ai_price_data_not_in_aa_with_benchmarks.csv", LBE_LIC, "Release Date"),
        Spec("epoch_eval_tokens", "epoch_inference_prices/epoch_ai_eval_data.csv", "https://epoch.ai/benchmarks",
             f"{LBE}@4abc99ab14bc6b4bd969b28c1ddbec9b97b2ff26:data/epoch_ai_eval_data.csv", LBE_LIC),
        Spec("epoch_lowest_price_data", "epoch_inference_prices/results_lowest_price_models/lowest_price_models_data.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@2fdd9a8ca969d0b1b1068f09ab54de811f2e0ae2:results/default/lowest_price_models_above_previous_frontier/lowest_price_models_data.csv",
             LBE_LIC, "Release Date"),
        Spec("epoch_lowest_price_results", "epoch_inference_prices/results_lowest_price_models/lowest_price_models_results.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@2fdd9a8ca969d0b1b1068f09ab54de811f2e0ae2:results/default/lowest_price_models_above_previous_frontier/lowest_price_models_results.csv",
             LBE_LIC, "start_date"),
        Spec("epoch_other_models_data", "epoch_inference_prices/results_lowest_price_models/other_models_data.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@2fdd9a8ca969d0b1b1068f09ab54de811f2e0ae2:results/default/lowest_price_models_above_previous_frontier/other_models_data.csv",
             LBE_LIC, "Release Date"),
        Spec("epoch_cheapest_cost_results", "epoch_inference_prices/results_lowest_cost_models/cheapest_model_results.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@2fdd9a8ca969d0b1b1068f09ab54de811f2e0ae2:results/default/lowest_cost_models_above_previous_frontier/cheapest_model_results.csv",
             LBE_LIC, "start_date"),
        Spec("epoch_cheapest_cost_summary", "epoch_inference_prices/results_lowest_cost_models/cheapest_model_summary.csv",
             "https://epoch.ai/data-insights/llm-inference-price-trends",
             f"{LBE}@2fdd9a8ca969d0b1b1068f09ab54de811f2e0ae2:results/default/lowest_cost_models_above_previous_frontier/cheapest_model_summary.csv",
             LBE_LIC),
        Spec("epoch_eci", "epoch_benchmarks/epoch_capabilities_index.csv", "https://epoch.ai/benchmarks/eci",
             "epoch-research/benchmark-stitching@07356c2106015f283c23a1f2478ea9e654a9f24f:data/website/epoch_capabilities_index.csv",
             BS_LIC, "Release date"),
        Spec("epoch_benchmark_runs", "epoch_benchmarks/benchmarks_runs.csv", "https://epoch.ai/benchmarks",
             f"{BS}:data/benchmarks_runs.csv", BS_LIC, "started_at"),
        Spec("epoch_model_versions", "epoch_benchmarks/model_versions.csv", "https://epoch.ai/benchmarks",
             f"{BS}:data/model_versions.csv", BS_LIC, "Version release date"),
        Spec("epoch_distilled", "epoch_benchmarks/distilled_models.csv", "https://epoch.ai/benchmarks",
             f"{BS}:data/distilled_models.csv", BS_LIC),
        Spec("epoch_benchmark_optim", "epoch_benchmarks/benchmark_optim.csv", "https://epoch.ai/benchmarks",
             f"{BS}:data/benchmark_optim.csv", BS_LIC),
        Spec("hardware_prices", "epoch_hardware/hardware_prices.csv", "https://epoch.ai/blog/how-much-does-it-cost-to-train-frontier-ai-models",
             f"{TCT}:data/Hardware prices.csv (last changed 5e8c5c4fc17ff70c6865d527016da7826fabacc2)",
             "Epoch AI data CC BY 4.0 (no LICENSE file in repo)", "Price date"),
        Spec("ml_hardware", "epoch_hardware/ml_hardware.csv", "https://epoch.ai/data/machine-learning-hardware",
             "Zanmadit/ai_hack_cast@a4274ed6afbefecb6e16eb62194b3109056879a0:data/ml_hardware.csv", EPOCH_CC, "Release date"),
        Spec("gpu_clusters", "epoch_hardware/gpu_clusters.csv", "https://epoch.ai/data/gpu-clusters",
             "Zanmadit/ai_hack_cast@31b65589cdf3ca06bcebae6123d6126112869898:data/gpu_clusters.csv", EPOCH_CC,
             "First Operational Date",
             ["Name", "Status", "Certainty", "H100 equivalents", "Chip type (primary)", "Chip quantity (primary)",
              "Country", "Owner", "First Operational Date", "Sector", "Power Capacity (MW)", "Hardware Cost",
              "Total number of AI chips", "16-bit OP/s", "Max OP/s", "Calculated Cost", "Reported Cost"]),
        Spec("ppi_hosting", "epoch_hardware/fred_PCU518210518210_ppi_data_processing_hosting.csv",
             "https://fred.stlouisfed.org/series/PCU518210518210",
             f"{TCT}:data/PCU518210518210.csv (last changed 107575861481c1450a065ee1ee6680120a636647)",
             "U.S. government data (public domain)", "observation_date"),
        Spec("training_costs", "epoch_hardware/training_cost_trends_model_costs.csv",
             "https://epoch.ai/blog/how-much-does-it-cost-to-train-frontier-ai-models",
             f"{TCT}:model_costs.csv (commit fb9268937dfde252d96622793a3ea5ccc8273cec)", "Epoch AI data CC BY 4.0"),
        Spec("training_costs_updated", "epoch_hardware/training_cost_trends_model_costs_updated.csv",
             "https://epoch.ai/blog/how-much-does-it-cost-to-train-frontier-ai-models",
             f"{TCT}:model_costs_updated.csv (commit cbdf42e41af3be51a84a0aa333940be63d6b9e83)", "Epoch AI data CC BY 4.0"),
        Spec("openrouter_daily", "openrouter/openrouter_models_daily_flat.csv", "https://openrouter.ai/api/v1/models",
             "Xiechengqi/openrouter-free-api (data/openrouter-models.json, 2025-12-18..2026-01-29) and "
             "skissue/gptel-openrouter-models (openrouter-models.json, 2026-02-27..2026-05-01); commit per row in source_commit",
             "OpenRouter API output (terms not stated); skissue repo GPL-3.0 covers its code", "snapshot_date"),
        Spec("litellm_snapshots", "price_history/litellm_model_prices_snapshots.csv",
             "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
             "litellm sdists 0.14.0..1.61.0; AgentOps-AI/tokencost commits (2024); RoCry/llm-api-price commits (2025-02..2026-07); ref per row in source_ref",
             "LiteLLM MIT; tokencost MIT; RoCry/llm-api-price no licence file", "snapshot_date"),
        Spec("llm_prices", "price_history/simonw_llm_prices_flat.csv", "https://www.llm-prices.com/",
             "simonw/llm-prices@723ef0bd3a6254436e9fe8d7f05d4d787e99f4c5:data/*.json (flattened)", "no licence file in repo",
             "from_date"),
        Spec("genai_prices", "price_history/pydantic_genai_prices_flat.csv", "https://github.com/pydantic/genai-prices",
             "pydantic/genai-prices@c885e328941f9e2bfa97b8d201a17722bdc0419e:prices/data.json (flattened)", "MIT",
             "constraint_start_date"),
        Spec("lmarena", "lmarena/lmarena_text_overall_score_history_long.csv",
             "https://huggingface.co/spaces/lmarena-ai/chatbot-arena-leaderboard",
             "nakasyou/lmarena-history@3e962ffeab8027db59601d0a13fd50cb5d55dc55:output/result.csv (long form)",
             "Repository MIT; LMArena data licence not stated", "date"),
        Spec("bls_cpi", "bls_cpi/cpi_u_us_city_average_selected_series.csv", "https://www.bls.gov/cpi/",
             "PyPI cpi==2.1.0 wheel, cpi/cpi.db (palewire/cpi)", "BLS: public domain; cpi package MIT", "date"),
        Spec("price_milestones", "curated/price_milestones.csv", "vendor price pages (per row: source_url)",
             "curated from shared/data sources (per row: source_repo_path_commit)",
             "Epoch AI CC BY 4.0; LiteLLM/tokencost/genai-prices MIT; others per row", "date"),
        Spec("market_shares", "curated/market_shares.csv", "per row: source_url",
             "curated (per row: source_repo_path_commit)", "facts from cited pages; see rows", "period_start"),
        Spec("token_volume", "curated/token_volume.csv", "per row: source_url",
             "curated (per row: source_repo_path_commit)", "facts from cited pages", "date"),
        Spec("wages", "curated/wages.csv", "https://www.bls.gov/oes/ ; https://fred.stlouisfed.org/series/AHETPI",
             "per row: source_repo_path_commit", "BLS: public domain", "date"),
        Spec("openrouter_rankings", "curated/openrouter_rankings/openrouter_rankings_flat.csv",
             "https://openrouter.ai/rankings", "jampongsathorn/openrouter-rankings (per row: source_repo_path_commit)",
             "no licence file", "snapshot_date"),
        Spec("openrouter_provider_summary", "curated/openrouter_rankings/pacell_provider_summary_2026-08-28.csv",
             "https://openrouter.ai (front-end stats API)",
             "pacell/openrouter-stats@0ce070afd50a8c1414593c98b3246e0ef2d125e0:data/openrouter/provider_summary.csv",
             "no licence file"),
        # --- first-party list-price history and dense change logs (issue 12)
        Spec("first_party_prices", "curated/first_party_prices.csv",
             "developers' own price pages and announcements (per row: source_url)",
             "curated from vendor pages, archive captures and catalogues (per row: source_url, source_note)",
             "facts from cited pages; Epoch AI data CC BY 4.0; genai-prices and LiteLLM MIT; llm-prices no licence file",
             "effective_date"),
        Spec("changelog_rocry", f"{CL}/rocry_llm_api_price_changes.csv.gz",
             "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
             "RoCry/llm-api-price, every commit of model_prices_and_context_window.json, "
             "b094ffea87ee9450ad0dd48e7d217e8eea241185..8442b939a6ead479f7995b5d74d8dce488bd0966 (per row: source_ref)",
             "LiteLLM data MIT; RoCry/llm-api-price no licence file", "observed_at"),
        Spec("changelog_rocry_commits", f"{CL}/rocry_llm_api_price_commits.csv",
             "https://github.com/RoCry/llm-api-price", "RoCry/llm-api-price git log (8442b939a6ead479f7995b5d74d8dce488bd0966)",
             "LiteLLM data MIT; RoCry/llm-api-price no licence file", "author_date_utc"),
        Spec("changelog_tokencost", f"{CL}/tokencost_changes.csv.gz",
             "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json",
             "AgentOps-AI/tokencost, all commits of tokencost/model_prices.json reachable from main "
             "(HEAD e7f7c1928084af55bb4955102327982401ed8649; per row: source_ref)", "MIT (tokencost, LiteLLM)",
             "observed_at"),
        Spec("changelog_tokencost_commits", f"{CL}/tokencost_commits.csv", "https://github.com/AgentOps-AI/tokencost",
             "AgentOps-AI/tokencost git log --full-history main (e7f7c1928084af55bb4955102327982401ed8649)", "MIT",
             "author_date_utc"),
        Spec("changelog_genai_prices", f"{CL}/genai_prices_changes.csv.gz", "https://github.com/pydantic/genai-prices",
             "pydantic/genai-prices, first-parent commits of prices/data.json "
             "8421a4e04ca01df1e56ecb42c711b2a2873d6ac3..c885e328941f9e2bfa97b8d201a17722bdc0419e (per row: source_ref)",
             "MIT", "observed_at"),
        Spec("changelog_genai_prices_commits", f"{CL}/genai_prices_commits.csv", "https://github.com/pydantic/genai-prices",
             "pydantic/genai-prices git log (HEAD 47df840a5ab10bbcffb8e5ac01b9899032245d1b)", "MIT", "author_date_utc"),
        Spec("changelog_llm_prices", f"{CL}/simonw_llm_prices_changes.csv.gz", "https://www.llm-prices.com/",
             "simonw/llm-prices, all commits on main 51497f086bc4584531e75281bee14ed5910aba0d.."
             "723ef0bd3a6254436e9fe8d7f05d4d787e99f4c5 (index.html presets, then data/*.json; per row: source_ref)",
             "no licence file in repo", "observed_at"),
        Spec("changelog_llm_prices_commits", f"{CL}/simonw_llm_prices_commits.csv", "https://github.com/simonw/llm-prices",
             "simonw/llm-prices git log (723ef0bd3a6254436e9fe8d7f05d4d787e99f4c5)", "no licence file in repo",
             "author_date_utc"),
        Spec("changelog_modelpricewatch", f"{CL}/modelpricewatch_price_history.csv.gz",
             "https://modelpricewatch.com/api/v1/price-history.json",
             "romanshumy/llm-prices-data@118ea7739a55423bc6a1c232336e33825f0dd5e4:price-history.csv",
             "CC BY 4.0 (data, attribution to modelpricewatch.com)", "date"),
        Spec("modelpricewatch_models", f"{CL}/modelpricewatch_models.json", "https://modelpricewatch.com/api/v1/models.json",
             "romanshumy/llm-prices-data@ee652e2d4d1a8cbd07db83a9fa1617ac2f552276:models.json (list fields joined with '|')",
             "CC BY 4.0 (data, attribution to modelpricewatch.com)", "last_updated", kind="records"),
        # --- demand side (for the Jevons analysis; bundled only)
        Spec("openrouter_effective_prices", "openrouter_usage/pacell_model_price_headline.csv",
             "https://openrouter.ai (front-end stats API /api/frontend/v1/stats/effective-pricing)",
             "pacell/openrouter-stats@0ce070afd50a8c1414593c98b3246e0ef2d125e0:data/openrouter/model_price_headline.csv",
             "no licence file in repo; OpenRouter API output, terms not stated"),
    ]
    return s


def external_specs(shared: Path) -> list[Spec]:
    out = []
    for p in sorted((shared / "epoch_benchmarks" / "external_benchmarks").glob("external_benchmark_*.csv")):
        name = p.stem.removeprefix("external_benchmark_")
        out.append(Spec(f"epoch_external_{name}", str(p.relative_to(shared)), "https://epoch.ai/benchmarks",
                        f"{BS}:data/{p.name}", BS_LIC))
    for p in sorted((shared / "openrouter").glob("openrouter_models_*.json")):
        date = p.stem.split("_")[2]
        repo = "Xiechengqi/openrouter-free-api" if "Xiechengqi" in p.stem else "skissue/gptel-openrouter-models"
        out.append(Spec(f"openrouter_raw_{date}", str(p.relative_to(shared)), "https://openrouter.ai/api/v1/models",
                        f"{repo}@{p.stem.split('_')[-1]} (short hash; full hash in openrouter_daily.source_commit)",
                        "OpenRouter API output (terms not stated)", kind="json", extra={"snapshot_date": date}))
    return out


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    # Parquet needs one type per column; columns pandas left as mixed objects become strings.
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: None if v is None or (isinstance(v, float) and v != v) else str(v))
    return df


def _date_range(df: pd.DataFrame, col: str | None) -> list[str] | None:
    if not col or col not in df.columns:
        return None
    d = pd.to_datetime(df[col].astype("string").str.slice(0, 10), errors="coerce", format="%Y-%m-%d").dropna()
    return [d.min().date().isoformat(), d.max().date().isoformat()] if len(d) else None


#: Data files of the generic methods (package data of ``methods/``, not part of the snapshot
#: id): listed here with source and sha256 so that every data file the package reads is in
#: one manifest; ``llmflation.methods.hansen`` checks the same sha256 on load.
METHOD_TABLES = {
    "hansen1997": {
        "file": "methods/tables/hansen1997.csv",
        "source": ("Hansen, B. E. (1997), 'Approximate asymptotic p values for structural-change tests', "
                   "JBES 15(1), 60-67; coefficients from R strucchange 1.5-4 R/pvalue.Fstats.R "
                   "(github.com/cran/strucchange@3e40f84), see methods/tables/SOURCE.md"),
        "licence": "GPL-2 | GPL-3 (strucchange); published coefficients of Hansen (1997)",
    },
}


def method_tables() -> dict:
    pkg = Path(__file__).resolve().parent.parent / "src" / "llmflation"
    out = {}
    for name, meta in METHOD_TABLES.items():
        raw = (pkg / meta["file"]).read_bytes()
        out[name] = {**meta, "rows": raw.count(b"\n") - 1, "sha256": hashlib.sha256(raw).hexdigest(),
                     "bytes": len(raw)}
    return out


def build(shared: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "snapshot_id": None, "built_from": "shared/data", "files": {},
        "attribution": ("Epoch AI data are licensed CC BY 4.0. Cite: Epoch AI, 'Data on AI Models', "
                        "'LLM inference prices', 'Machine Learning Hardware', 'AI Benchmarking Hub', epoch.ai."),
    }
    for spec in specs() + external_specs(shared):
        src = shared / spec.path
        if spec.kind == "json":
            raw = src.read_bytes()
            obj = json.loads(raw)
            n = len(obj["data"] if isinstance(obj, dict) else obj)
            fname = f"{spec.name}.json.gz"
            data = gzip.compress(raw, compresslevel=9, mtime=0)
            (out / fname).write_bytes(data)
            vintage = [spec.extra["snapshot_date"]] * 2
        else:
            if spec.kind == "records":
                recs = json.loads(src.read_bytes())
                df = pd.DataFrame([{k: ("|".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()}
                                   for r in recs])
            else:
                df = pd.read_csv(src, encoding="utf-8-sig", low_memory=False)
            if spec.columns:
                missing = [c for c in spec.columns if c not in df.columns]
                if missing:
                    raise SystemExit(f"{spec.path}: columns missing {missing}")
                df = df[spec.columns]
            df = _clean(df)
            n = len(df)
            fname = f"{spec.name}.parquet"
            table = pa.Table.from_pandas(df, preserve_index=False)
            pq.write_table(table, out / fname, compression="zstd", compression_level=19)
            vintage = _date_range(df, spec.date_col)
        sha = hashlib.sha256((out / fname).read_bytes()).hexdigest()
        manifest["files"][spec.name] = {
            "file": fname, "source_file": f"shared/data/{spec.path}", "source_url": spec.url,
            "taken_from": spec.taken_from, "licence": spec.licence, "vintage": vintage,
            "rows": int(n), "sha256": sha, "bytes": (out / fname).stat().st_size,
        }
    ids = hashlib.sha256(json.dumps(sorted((k, v["sha256"]) for k, v in manifest["files"].items())).encode()).hexdigest()
    manifest["snapshot_id"] = ids[:12]
    manifest["method_tables"] = method_tables()
    # the model registry's provenance is written by scripts/build_registry.py: keep it
    old = out / "MANIFEST.json"
    if old.is_file():
        prev = json.loads(old.read_text()).get("registry_tables")
        if prev:
            manifest["registry_tables"] = prev
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    total = sum(v["bytes"] for v in manifest["files"].values())
    if total > MAX_BYTES:
        raise SystemExit(f"snapshot is {total/1e6:.1f} MB, above the 15 MB budget")
    # remove stale files from earlier builds
    keep = {v["file"] for v in manifest["files"].values()} | {"MANIFEST.json"}
    for p in out.iterdir():
        if p.is_file() and p.name not in keep and (p.suffix in {".parquet", ".gz"}):
            p.unlink()
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    if not a.shared.is_dir():
        print(f"error: {a.shared} is not a directory; pass --shared PATH/TO/shared/data", file=sys.stderr)
        return 2
    m = build(a.shared, a.out)
    total = sum(v["bytes"] for v in m["files"].values())
    print(f"snapshot {m['snapshot_id']}: {len(m['files'])} files, {total/1e6:.2f} MB -> {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
