// ZSetValue: one packed run or a ZSetTree plus a member table.
#include "dataplane/engine/types/zset.h"

#include "dataplane/engine/types/zset_item.h"

namespace cairn::engine {
namespace {

double ScoreOf(std::string_view encoded) {
  double s;
  zset::DecodeScore(encoded, &s);
  return s;
}

std::string EncodedScore(double score) {
  std::string out;
  zset::AppendScore(&out, score);
  return out;
}

// Redis's listpack holds scores as d2string text, which prints -0 as the integer 0.
double Packable(double score) {
  return score == 0 ? 0.0 : score;
}

}  // namespace

size_t ZSetValue::FindPacked(std::string_view member) const {
  for (size_t pos = packed_.Begin(); pos != packed_.End(); pos = packed_.Next(pos)) {
    if (zset::DecodeItem(packed_.At(pos)).member == member) {
      return pos;
    }
  }
  return packed_.End();
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (tree_) {
    std::optional<std::string_view> v = table_->Get(member);
    return v ? std::optional<double>(ScoreOf(*v)) : std::nullopt;
  }
  size_t pos = FindPacked(member);
  if (pos == packed_.End()) {
    return std::nullopt;
  }
  return zset::DecodeItem(packed_.At(pos)).score;
}

bool ZSetValue::Set(std::string_view member, double score, const ZSetLimits& limits) {
  if (!tree_ && static_cast<int64_t>(member.size()) > limits.max_value) {
    ConvertToFull();
  }
  if (tree_) {
    std::optional<std::string_view> old = table_->Get(member);
    if (old) {
      double was = ScoreOf(*old);
      if (was == score) {
        return false;
      }
      tree_->Erase(was, member);
    }
    tree_->Insert(score, member);
    table_->Set(member, EncodedScore(score));
    return !old;
  }
  std::string m(member);  // `member` may view this set's own bytes
  score = Packable(score);
  size_t pos = FindPacked(m);
  bool fresh = pos == packed_.End();
  if (!fresh) {
    packed_.Erase(pos);
  }
  packed_.Insert(zset::LowerBoundIn(packed_, score, m), zset::EncodeItem(score, m));
  if (static_cast<int64_t>(packed_.size()) > limits.max_entries) {
    ConvertToFull();
  }
  return fresh;
}

bool ZSetValue::Erase(std::string_view member) {
  if (tree_) {
    std::optional<std::string_view> old = table_->Get(member);
    if (!old) {
      return false;
    }
    std::string m(member);
    tree_->Erase(ScoreOf(*old), m);
    table_->Erase(m);
    return true;
  }
  size_t pos = FindPacked(member);
  if (pos == packed_.End()) {
    return false;
  }
  packed_.Erase(pos);
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  std::optional<double> score = Score(member);
  if (!score) {
    return std::nullopt;
  }
  double s = *score;
  return LowerBound([s, member](double score2, std::string_view m2) {
    return zset::Compare(score2, m2, s, member) >= 0;
  });
}

size_t ZSetValue::LowerBound(const Pred& pred) const {
  if (tree_) {
    return tree_->LowerBound(pred);
  }
  return zset::IndexWhere(packed_, pred);
}

void ZSetValue::Visit(size_t rank, bool reverse, const VisitFn& fn) const {
  if (tree_) {
    tree_->Visit(rank, reverse, fn);
    return;
  }
  size_t pos = packed_.Seek(rank);
  while (true) {
    zset::Item it = zset::DecodeItem(packed_.At(pos));
    if (!fn(it.score, it.member)) {
      return;
    }
    if (reverse) {
      if (pos == packed_.Begin()) {
        return;
      }
      pos = packed_.Prev(pos);
    } else if ((pos = packed_.Next(pos)) == packed_.End()) {
      return;
    }
  }
}

void ZSetValue::ForEach(const VisitFn& fn) const {
  if (size() > 0) {
    Visit(0, false, fn);
  }
}

uint64_t ZSetValue::Scan(uint64_t cursor,
                         const std::function<void(std::string_view, double)>& fn) const {
  if (tree_) {
    return table_->Scan(cursor,
                        [&fn](std::string_view m, std::string_view v) { fn(m, ScoreOf(v)); });
  }
  ForEach([&fn](double s, std::string_view m) {
    fn(m, s);
    return true;
  });
  return 0;
}

std::pair<std::string, double> ZSetValue::Random(std::mt19937_64& rng) const {
  if (tree_) {
    auto [m, v] = table_->Random(rng);
    return {std::string(m), ScoreOf(v)};
  }
  size_t i = std::uniform_int_distribution<size_t>(0, size() - 1)(rng);
  zset::Item it = zset::DecodeItem(packed_.At(packed_.Seek(i)));
  return {std::string(it.member), it.score};
}

void ZSetValue::ConvertToFull() {
  if (tree_) {
    return;
  }
  auto tree = std::make_unique<ZSetTree>();
  auto table = std::make_unique<BlobTable>(true);
  table->Reserve(packed_.size());
  ForEach([&](double s, std::string_view m) {
    tree->Insert(s, m);
    table->Set(m, EncodedScore(s));
    return true;
  });
  tree_ = std::move(tree);
  table_ = std::move(table);
  packed_ = Packed();
}

void ZSetValue::ConvertToPackedIfFits(const ZSetLimits& limits) {
  if (!tree_ || static_cast<int64_t>(size()) > limits.max_entries) {
    return;
  }
  bool fits = true;
  ForEach([&](double, std::string_view m) {
    fits = static_cast<int64_t>(m.size()) <= limits.max_value;
    return fits;
  });
  if (!fits) {
    return;
  }
  Packed packed;
  ForEach([&](double s, std::string_view m) {
    packed.PushBack(zset::EncodeItem(Packable(s), m));
    return true;
  });
  packed_ = std::move(packed);
  tree_.reset();
  table_.reset();
}

size_t ZSetValue::MemoryBytes() const {
  if (tree_) {
    return sizeof(*this) + sizeof(ZSetTree) + tree_->MemoryBytes() + sizeof(BlobTable) +
           table_->MemoryBytes();
  }
  return sizeof(*this) + packed_.AllocatedBytes();
}

std::unique_ptr<Value> ZSetValue::Clone() const {
  auto copy = std::make_unique<ZSetValue>();
  if (tree_) {
    copy->tree_ = std::make_unique<ZSetTree>(*tree_);
    copy->table_ = std::make_unique<BlobTable>(*table_);
  } else {
    copy->packed_ = Packed(packed_);
  }
  return copy;
}

}  // namespace cairn::engine
