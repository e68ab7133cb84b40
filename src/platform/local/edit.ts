import { readFile, writeFile, rename } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { parseAllDocuments, isMap, isScalar, isSeq, type Document } from 'yaml'
import { describeDocument, parseYamlDocuments, validateDocument } from '../../api/documents.js'
import { ErrorCodes, FledgeError } from '../../util/errors.js'

/**
 * Changes to the manifests directory on the user's behalf (`fledge apply`, `fledge set image`): the
 * same as editing the files by hand, so Git shows exactly what happened.
 */

/** Writes a manifest file into the directory after checking every document in it. */
export async function applyManifest(dir: string, name: string, text: string): Promise<string> {
  const file = basename(name)
  if (!/\.ya?ml$/.test(file))
    throw new FledgeError(ErrorCodes.USAGE, `${name}: a manifest file must end in .yaml or .yml`)
  const docs = parseYamlDocuments(text)
  if (docs.length === 0)
    throw new FledgeError(ErrorCodes.INVALID_YAML, `${name}: empty: no YAML documents`)
  const problems: string[] = []
  for (const d of docs) {
    for (const e of d.errors)
      problems.push(`document ${d.index} (line ${d.line}): invalid YAML: ${e}`)
    if (d.errors.length > 0) continue
    const r = validateDocument(d.value)
    if (r.ok === false) {
      for (const i of r.issues)
        problems.push(
          `document ${d.index} ${describeDocument(d.value)}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`,
        )
    }
  }
  if (problems.length > 0)
    throw new FledgeError(ErrorCodes.INVALID_SPEC, `${name}: ${problems.join('; ')}`)
  const target = join(dir, file)
  await writeAtomic(target, text)
  return target
}

/**
 * Sets a container's image in the file that declares the Deployment, keeping comments and layout.
 * Returns the file changed, or undefined when the image was already that.
 */
export async function setImage(
  file: string,
  deployment: { name: string; namespace: string },
  container: string,
  image: string,
): Promise<{ file: string; previous: string } | undefined> {
  const text = await readFile(file, 'utf8')
  const docs = parseAllDocuments(text) as Document.Parsed[]
  for (const doc of docs) {
    const js = doc.toJS() as unknown
    const value = js as { kind?: string; metadata?: { name?: string; namespace?: string } } | null
    if (value?.kind !== 'Deployment' || value.metadata?.name !== deployment.name) continue
    if ((value.metadata.namespace ?? 'default') !== deployment.namespace) continue
    const containers = doc.getIn(['spec', 'template', 'spec', 'containers'])
    if (!isSeq(containers)) break
    const names: string[] = []
    for (const c of containers.items) {
      if (!isMap(c)) continue
      const n = String(c.get('name'))
      names.push(n)
      if (n !== container) continue
      const node = c.get('image', true)
      const previous = String(c.get('image'))
      if (previous === image) return undefined
      const range = isScalar(node) ? node.range : undefined
      if (range === undefined || range === null)
        throw new FledgeError(
          ErrorCodes.INVALID_SPEC,
          `deployment/${deployment.name}: container "${container}" has no image to replace`,
        )
      // Only the value's bytes change, so the diff is what a hand edit would be.
      await writeAtomic(file, text.slice(0, range[0]) + yamlScalar(image) + text.slice(range[1]))
      return { file, previous }
    }
    throw new FledgeError(
      ErrorCodes.NOT_FOUND,
      `deployment/${deployment.name} has no container "${container}" (it has: ${names.join(', ')})`,
    )
  }
  throw new FledgeError(
    ErrorCodes.NOT_FOUND,
    `deployment/${deployment.name} is not declared in ${file}`,
  )
}

/** A value as a plain YAML scalar when that is safe, else double-quoted. */
function yamlScalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._/@:+-]*$/.test(value) && !value.endsWith(':')
    ? value
    : JSON.stringify(value)
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, text)
  await rename(tmp, file)
}
