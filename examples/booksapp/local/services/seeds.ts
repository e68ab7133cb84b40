/** booksapp's seed data (db/seeds.rb): 10 authors, 15 books; Margaret Atwood has none. */
export const SEEDS: readonly {
  readonly author: string
  readonly books: readonly [string, number][]
}[] = [
  { author: 'Alice Munro', books: [['Dear Life', 319]] },
  { author: 'David Mitchell', books: [['Cloud Atlas', 529]] },
  {
    author: 'Haruki Murakami',
    books: [
      ['1Q84', 1184],
      ['Kafka on the Shore', 436],
    ],
  },
  {
    author: 'James Baldwin',
    books: [
      ["Giovanni's Room", 176],
      ['Fire Next Time, The', 141],
    ],
  },
  { author: 'Margaret Atwood', books: [] },
  {
    author: 'Michael Chabon',
    books: [
      ['Telegraph Avenue', 468],
      ['Mysteries of Pittsburgh, The', 306],
    ],
  },
  {
    author: 'N.K. Jemisin',
    books: [
      ['Fifth Season, The', 512],
      ['Obelisk Gate, The', 448],
      ['Stone Sky, The', 464],
    ],
  },
  { author: 'Neil Gaiman', books: [['American Gods', 588]] },
  { author: 'P.D. James', books: [['Children of Men', 241]] },
  {
    author: 'Ursula K. Le Guin',
    books: [
      ['Left Hand of Darkness, The', 304],
      ['Dispossessed, The', 401],
    ],
  },
]

/** Authors in seed order (ids 1..10), split as the seeds do: first word, then the rest. */
export function seedAuthors(): { first_name: string; last_name: string }[] {
  return SEEDS.map(({ author }) => {
    const space = author.indexOf(' ')
    return { first_name: author.slice(0, space), last_name: author.slice(space + 1) }
  })
}

/** Books in seed order (ids 1..15), each pointing at its author's seed id. */
export function seedBooks(): { title: string; pages: number; author_id: number }[] {
  return SEEDS.flatMap(({ books }, i) =>
    books.map(([title, pages]) => ({ title, pages, author_id: i + 1 })),
  )
}
