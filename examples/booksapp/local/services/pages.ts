/** The webapp's HTML pages. Plain strings with every value escaped; no template engine. */
import type { Attributes } from './resource.js'

export function escapeHtml(v: unknown): string {
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number'
        ? String(v)
        : v === undefined || v === null
          ? ''
          : JSON.stringify(v)
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export interface Footer {
  readonly version: string
  readonly replica?: string | undefined
}

const authorName = (a: Attributes): string =>
  `${escapeHtml(a['first_name'])} ${escapeHtml(a['last_name'])}`

function layout(title: string, footer: Footer, body: string, flash?: string): string {
  const served =
    footer.replica === undefined
      ? escapeHtml(footer.version)
      : `${escapeHtml(footer.version)} (${escapeHtml(footer.replica)})`
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)} · booksapp</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto}.flash{background:#fee;padding:.5rem}footer{color:#888;margin-top:2rem}</style>
</head><body>
<h1><a href="/">Books</a></h1>
${flash === undefined || flash === '' ? '' : `<p class="flash">${escapeHtml(flash)}</p>`}
${body}
<footer>served by booksapp ${served}</footer>
</body></html>
`
}

function authorOptions(authors: readonly Attributes[], selected?: unknown): string {
  return authors
    .map(
      (a) =>
        `<option value="${escapeHtml(a['id'])}"${a['id'] === selected ? ' selected' : ''}>${authorName(a)}</option>`,
    )
    .join('')
}

export function indexPage(
  books: readonly Attributes[],
  authors: readonly Attributes[],
  footer: Footer,
  flash?: string,
): string {
  const byId = new Map(authors.map((a) => [a['id'], a]))
  const bookRows = books
    .map((b) => {
      const a = byId.get(b['author_id'])
      return `<li><a href="/books/${escapeHtml(b['id'])}">${escapeHtml(b['title'])}</a>${a === undefined ? '' : ` by <a href="/authors/${escapeHtml(a['id'])}">${authorName(a)}</a>`} (${escapeHtml(b['pages'])} pages)</li>`
    })
    .join('\n')
  const authorRows = authors
    .map((a) => `<li><a href="/authors/${escapeHtml(a['id'])}">${authorName(a)}</a></li>`)
    .join('\n')
  return layout(
    'Books',
    footer,
    `<h2>Books</h2>
<ul class="books">
${bookRows}
</ul>
<form method="post" action="/books"><h3>Add a book</h3>
<input name="title" placeholder="Title"> <select name="author_id">${authorOptions(authors)}</select>
<input name="pages" placeholder="Pages"> <button>Add book</button></form>
<h2>Authors</h2>
<ul class="authors">
${authorRows}
</ul>
<form method="post" action="/authors"><h3>Add an author</h3>
<input name="first_name" placeholder="First name"> <input name="last_name" placeholder="Last name">
<button>Add author</button></form>`,
    flash,
  )
}

export function authorPage(
  author: Attributes,
  books: readonly Attributes[],
  footer: Footer,
): string {
  const id = escapeHtml(author['id'])
  const rows = books
    .map(
      (b) =>
        `<li><a href="/books/${escapeHtml(b['id'])}">${escapeHtml(b['title'])}</a> (${escapeHtml(b['pages'])} pages)</li>`,
    )
    .join('\n')
  return layout(
    `${String(author['first_name'])} ${String(author['last_name'])}`,
    footer,
    `<h2 class="author">${authorName(author)}</h2>
<ul class="books">
${rows}
</ul>
<p><a href="/authors/${id}/edit">Edit</a></p>
<form method="post" action="/authors/${id}/delete"><button>Delete author</button></form>`,
  )
}

export function authorEditPage(author: Attributes, footer: Footer, flash?: string): string {
  const id = escapeHtml(author['id'])
  return layout(
    'Edit author',
    footer,
    `<h2>Edit ${authorName(author)}</h2>
<form method="post" action="/authors/${id}/edit">
<input name="first_name" value="${escapeHtml(author['first_name'])}"> <input name="last_name" value="${escapeHtml(author['last_name'])}">
<button>Save</button></form>`,
    flash,
  )
}

export function bookPage(book: Attributes, author: Attributes, footer: Footer): string {
  const id = escapeHtml(book['id'])
  return layout(
    String(book['title']),
    footer,
    `<h2 class="book">${escapeHtml(book['title'])}</h2>
<p>by <a href="/authors/${escapeHtml(author['id'])}">${authorName(author)}</a>, ${escapeHtml(book['pages'])} pages</p>
<p><a href="/books/${id}/edit">Edit</a></p>
<form method="post" action="/books/${id}/delete"><button>Delete book</button></form>`,
  )
}

export function bookEditPage(
  book: Attributes,
  authors: readonly Attributes[],
  footer: Footer,
  flash?: string,
): string {
  const id = escapeHtml(book['id'])
  return layout(
    'Edit book',
    footer,
    `<h2>Edit ${escapeHtml(book['title'])}</h2>
<form method="post" action="/books/${id}/edit">
<input name="title" value="${escapeHtml(book['title'])}"> <select name="author_id">${authorOptions(authors, book['author_id'])}</select>
<input name="pages" value="${escapeHtml(book['pages'])}"> <button>Save</button></form>`,
    flash,
  )
}
